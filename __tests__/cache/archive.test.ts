import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Readable } from 'node:stream'
import { describe, it } from 'node:test'
import * as zlib from 'node:zlib'
import { parseListing, readEntry, refusedMembers, type Member } from '../../src/cache/archive.js'
import { isFeatureAvailable } from '@actions/cache'
import { cacheVersion, serviceV2 } from '../../src/cache/entry.js'
// The toolkit's own rules, internal to @actions/cache (its exports have '.' only): reached here by file, to keep the two equal.
import { getCacheVersion } from '../../node_modules/@actions/cache/lib/internal/cacheUtils.js'
import { getCacheServiceVersion } from '../../node_modules/@actions/cache/lib/internal/config.js'

const member = (name: string, type = '-', permissions = 'rw-r--r--', size = 0): Member => ({ type, permissions, name, size })
const prefix = '../../tmp/run/venv'
const VENV = { within: 'the venv', links: true }

describe('the members of a venv entry', () => {
  it('a venv outside the workspace, named with the leading .. the toolkit writes, is taken whole', () => {
    const members = [member(prefix, 'd'), member(`${prefix}/bin`, 'd'), member(`${prefix}/bin/python`, 'l'), member(`${prefix}/pyvenv.cfg`)]
    assert.deepEqual(refusedMembers(members, prefix, VENV), [])
  })

  it('absolute names, names outside the venv and names that climb out of it are refused', () => {
    const members = [member('/etc/cron.d/x'), member('../../tmp/run/setup.cfg'), member(`${prefix}/../../setup.cfg`), member(`${prefix}/./x`), member('../../tmp/run/venv2/x')]
    assert.deepEqual(refusedMembers(members, prefix, VENV), [
      '/etc/cron.d/x is an absolute path',
      `../../tmp/run/setup.cfg lies outside the venv (${prefix})`,
      `${prefix}/../../setup.cfg has an empty, '.' or '..' part`,
      `${prefix}/./x has an empty, '.' or '..' part`,
      `../../tmp/run/venv2/x lies outside the venv (${prefix})`
    ])
  })

  it('hard links, devices, set-user-ID files, repeated names and members beneath a link are refused', () => {
    const members = [
      member(`${prefix}/h`, 'h'),
      member(`${prefix}/c`, 'c'),
      member(`${prefix}/suid`, '-', 'rwsr-xr-x'),
      member(`${prefix}/lib`, 'l'),
      member(`${prefix}/lib/evil.py`),
      member(`${prefix}/lib`, 'd')
    ]
    assert.deepEqual(refusedMembers(members, prefix, VENV), [
      `${prefix}/h is a hard link`,
      `${prefix}/c is a character device`,
      `${prefix}/suid is set-user-ID or set-group-ID`,
      `${prefix}/lib/evil.py lies beneath a symbolic link of the archive`,
      `${prefix}/lib is in the archive twice`
    ])
  })

  it('names five refusals and counts the rest', () => {
    const refused = refusedMembers(Array.from({ length: 8 }, (_, i) => member(`/x${i}`)), prefix, VENV)
    assert.equal(refused.length, 6)
    assert.equal(refused[5], '3 more members')
  })

  it("reads GNU tar's verbose listing: escapes, links, directories", () => {
    const listing = [
      'drwxr-xr-x 0/0               0 2026-12-05 17:12 venv/',
      '-rw-r--r-- 0/0            1234 2026-12-05 17:12 venv/we ird\\nn\\303\\251 -> x',
      'lrwxrwxrwx 0/0               0 2026-12-05 17:09 venv/bin/python -> /usr/bin/python3',
      'hrw-r--r-- 0/0               0 2026-12-05 17:09 venv/a link to venv/b',
      ''
    ].join('\n')
    assert.deepEqual(parseListing(listing), [
      member('venv', 'd', 'rwxr-xr-x'),
      member('venv/we ird\nné -> x', '-', 'rw-r--r--', 1234),
      { ...member('venv/bin/python', 'l', 'rwxrwxrwx'), target: '/usr/bin/python3' },
      { ...member('venv/a', 'h'), target: 'venv/b' }
    ])
  })

  it('a line it cannot read, or a link whose name holds " -> ", makes the listing unreadable', () => {
    assert.throws(() => parseListing('garbage\n'), /does not read/)
    assert.throws(() => parseListing('lrwxrwxrwx 0/0 0 2026-12-05 17:09 venv/a -> b -> /etc\n'), /cannot be told from its target/)
  })
})

describe('the members of a pip cache entry', () => {
  const pip = '../../home/runner/.cache/pip'
  const rules = { within: "pip's cache directory", links: false }

  it('directories and files below the cache are taken', () => {
    assert.deepEqual(refusedMembers([member(pip, 'd'), member(`${pip}/wheels`, 'd'), member(`${pip}/wheels/a.whl`)], pip, rules), [])
  })

  it('a symbolic link is refused wherever it points, and names outside the cache are named as such', () => {
    assert.deepEqual(refusedMembers([member(`${pip}/http`, 'l'), member('../../home/runner/.bashrc')], pip, rules), [
      `${pip}/http is a symbolic link, which pip's cache directory never holds`,
      `../../home/runner/.bashrc lies outside pip's cache directory (${pip})`
    ])
  })
})

describe("the entry's version", () => {
  it("is the toolkit's, so that an entry it saved is found", () => {
    for (const compression of ['zstd-without-long', 'gzip'] as const) {
      assert.equal(cacheVersion(['/tmp/run/venv'], compression), getCacheVersion(['/tmp/run/venv'], compression as never))
    }
  })
})

describe('the cache service v2, seen from the environment', () => {
  it("is there exactly when the toolkit would speak v2 to an available service, so that the library need not load to say so", () => {
    const names = ['ACTIONS_CACHE_SERVICE_V2', 'ACTIONS_RESULTS_URL', 'ACTIONS_CACHE_URL', 'GITHUB_SERVER_URL'] as const
    const saved = Object.fromEntries(names.map(name => [name, process.env[name]]))
    const values = {
      ACTIONS_CACHE_SERVICE_V2: [undefined, 'true'],
      ACTIONS_RESULTS_URL: [undefined, 'https://results.example/'],
      ACTIONS_CACHE_URL: [undefined, 'https://cache.example/'],
      GITHUB_SERVER_URL: [undefined, 'https://github.com', 'https://acme.ghe.com', 'https://github.acme.example']
    }
    let seen = 0
    try {
      for (const v2 of values.ACTIONS_CACHE_SERVICE_V2)
        for (const results of values.ACTIONS_RESULTS_URL)
          for (const cache of values.ACTIONS_CACHE_URL)
            for (const server of values.GITHUB_SERVER_URL) {
              const env = { ACTIONS_CACHE_SERVICE_V2: v2, ACTIONS_RESULTS_URL: results, ACTIONS_CACHE_URL: cache, GITHUB_SERVER_URL: server }
              for (const name of names) {
                if (env[name] === undefined) delete process.env[name]
                else process.env[name] = env[name]
              }
              const toolkit = getCacheServiceVersion() === 'v2' && isFeatureAvailable()
              assert.equal(serviceV2(env), toolkit ? results : undefined, JSON.stringify(env))
              if (toolkit) seen++
            }
    } finally {
      for (const name of names) {
        if (saved[name] === undefined) delete process.env[name]
        else process.env[name] = saved[name]
      }
    }
    // github.com (named or not) and GHE.com, each with or without the v1 URL beside it.
    assert.equal(seen, 6)
  })
})

describe('an entry read as it comes down', () => {
  // A tar as the toolkit writes one (GNU tar, --posix), compressed by the programs it runs; a file larger than one decoded chunk.
  const made = fs.mkdtempSync(path.join(os.tmpdir(), 'nova-dpm-entry-'))
  const big = Buffer.alloc(3 * 2 ** 20 + 17, 'nova')
  fs.mkdirSync(path.join(made, 'venv', 'bin'), { recursive: true })
  fs.writeFileSync(path.join(made, 'venv', 'big.bin'), big)
  fs.writeFileSync(path.join(made, 'venv', 'pyvenv.cfg'), 'home = /usr/bin\n')
  const plain = execFileSync('tar', ['--posix', '-cf', '-', '-C', made, 'venv'], { maxBuffer: 64 * 2 ** 20 })
  fs.rmSync(made, { recursive: true, force: true })
  const compressed = {
    'zstd-without-long': execFileSync('zstd', ['-q', '-c'], { input: plain, maxBuffer: 64 * 2 ** 20 }),
    gzip: zlib.gzipSync(plain)
  } as const
  const digest = (content: Buffer) => createHash('sha256').update(content).digest('base64url')

  for (const compression of ['zstd-without-long', 'gzip'] as const) {
    it(`${compression}: every member, each file with its SHA-256, whatever the size of the chunks it came in`, async () => {
      const read = await readEntry(Readable.from([compressed[compression]]), compression, 2 ** 30)
      assert.ok(Array.isArray(read), String(read))
      assert.deepEqual(read.map(m => `${m.type} ${m.name}`).sort(), ['- venv/big.bin', '- venv/pyvenv.cfg', 'd venv', 'd venv/bin'])
      assert.equal(read.find(m => m.name === 'venv/big.bin')?.sha256, digest(big))
    })

    it(`${compression}: an entry cut short is the decompression's failure, named by the format`, async () => {
      const cut = compressed[compression].subarray(0, compressed[compression].length >> 1)
      await assert.rejects(readEntry(Readable.from([cut]), compression, 2 ** 30), new RegExp(`^Error: ${compression === 'gzip' ? 'gzip' : 'zstd'} could not decompress the entry`))
    })

    it(`${compression}: an entry that unpacks to more than the bound is refused as too large`, async () => {
      await assert.rejects(readEntry(Readable.from([compressed[compression]]), compression, 2 ** 20), /the entry unpacks to more than 1 MiB, the most the action restores/)
    })
  }

  it("decodes zstd in the action's own process where Node has the decoder (node24), and by the zstd program where it has not", async () => {
    const saved = process.env.PATH
    process.env.PATH = ''
    try {
      const reading = readEntry(Readable.from([compressed['zstd-without-long']]), 'zstd-without-long', 2 ** 30)
      if ('createZstdDecompress' in zlib) assert.ok(Array.isArray(await reading))
      else await assert.rejects(reading, /zstd/)
    } finally {
      process.env.PATH = saved
    }
  })
})
