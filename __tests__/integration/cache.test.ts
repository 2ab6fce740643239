import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { before, describe, it } from 'node:test'
import { cacheVersion, compressionMethod } from '../../src/cache/entry.js'
import { entryPath } from '../../src/cache/venvEntry.js'
import { installed, makeVenv, messages, runAction, tempDir, type ActionRun } from '../fixtures/runAction.js'
import { useCacheService, useWorld } from '../fixtures/suite.js'
import { installInputs } from '../fixtures/world.js'

describe('caching with the real @actions/cache against a loopback cache service', () => {
  // A wheel whose RECORD hashes with sha512: its files are proved from the tree tar extracts, not from the reading's SHA-256.
  const world = useWorld({ extraWheels: [{ name: 'sha512-hashed', version: '1.0', recordHash: 'sha512', files: { 'sha512_hashed/data.py': `DATA = ${JSON.stringify('x'.repeat(100_000))}\n` } }] })
  const service = useCacheService()

  /**
   * Each run is a fresh runner: a new working directory and interpreter, and
   * an empty pip cache directory at the same path (as ~/.cache/pip is).
   * pip caches nothing fetched over plain http unless the host is trusted;
   * real indexes are https, the loopback one is trusted instead.
   */
  function runner(shared: string) {
    const pipCache = path.join(shared, 'pip-cache')
    fs.rmSync(pipCache, { recursive: true, force: true })
    fs.rmSync(path.join(shared, 'venv'), { recursive: true, force: true })
    return { env: { ...service.env, PIP_CACHE_DIR: pipCache, PIP_TRUSTED_HOST: '127.0.0.1' }, venvPath: path.join(shared, 'venv') }
  }

  /** The action's own cache default unless a test names one. */
  const inputs = (python: string, extra: Record<string, string> = {}) => installInputs(world, { release: 'queens', python, cache: undefined, ...extra })

  it('pip: a cold run saves, a fresh runner hits and downloads no wheel', { timeout: 240_000 }, async () => {
    const shared = tempDir()
    const cold = await runAction(inputs(makeVenv(), { 'cache-key-suffix': 'pip-hit' }), runner(shared).env)
    assert.equal(cold.code, 0, cold.stdout)
    assert.equal(cold.outputs['cache-hit'], 'false')
    const saved = service.committedKeys().filter(k => k.includes('pip-hit'))
    assert.equal(saved.length, 1, 'the cold run saved its pip cache')
    // Saved under the identity the summary shows, plus run id, attempt and time (no GITHUB_RUN_ID here: 'local').
    const identity = cold.summary.match(/<td>Cache<\/td><td>pip, key (\S+)<\/td>/)?.[1]
    assert.ok(identity, cold.summary)
    assert.match(saved[0], new RegExp(`^${identity.replace(/[.+]/g, '\\$&')}local-1-[0-9a-z]+$`))
    assert.match(cold.summary, /Cache save<\/td><td>\d+\.\d MiB in/)

    const requestsBefore = world.requests.length
    const python = makeVenv()
    const warm = await runAction(inputs(python, { 'cache-key-suffix': 'pip-hit' }), runner(shared).env)
    assert.equal(warm.code, 0, warm.stdout)
    assert.equal(warm.outputs['cache-hit'], 'true')
    assert.equal(installed(python)['nova-dpm'], '3.0.0')
    assert.deepEqual(world.requests.slice(requestsBefore).filter(p => p.startsWith('/files/')), [])
    assert.deepEqual(service.committedKeys().filter(k => k.includes('pip-hit')), saved, 'an exact hit is not saved again')
    assert.match(warm.summary, /<td>Cache save<\/td><td>not needed \(exact hit\)<\/td>/)
    assert.match(warm.summary, /Cache restore<\/td><td>hit on setup-nova-dpm-\S+, \d+\.\d MiB unpacked, \d+\.\d MiB compressed in/)
  })

  it("pip: the cache comes down while the action's venv is made", { timeout: 240_000 }, async () => {
    const shared = tempDir()
    const asked = (r: ReturnType<typeof runner>) => inputs(makeVenv(), { venv: 'true', 'venv-path': r.venvPath, 'cache-key-suffix': 'pip-beside-venv' })
    const seeding = runner(shared)
    const seed = await runAction(asked(seeding), seeding.env)
    assert.equal(seed.code, 0, seed.stdout)
    // The archive is held back until the new venv exists. A restore that had to end before
    // the venv is made stalls instead, and the run goes on without the cache, with a warning.
    const fresh = runner(shared)
    const made = path.join(fresh.venvPath, 'pyvenv.cfg')
    let heldUntil: 'the venv existed' | 'the bound' | undefined
    service.beforeDownload = async () => {
      const deadline = Date.now() + 60_000
      while (!fs.existsSync(made) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
      heldUntil = fs.existsSync(made) ? 'the venv existed' : 'the bound'
    }
    try {
      const run = await runAction(asked(fresh), fresh.env)
      assert.equal(run.code, 0, run.stdout)
      assert.equal(heldUntil, 'the venv existed')
      assert.equal(run.outputs['cache-hit'], 'true')
      assert.equal(installed(path.join(fresh.venvPath, 'bin', 'python'))['nova-dpm'], '3.0.0')
      assert.deepEqual(messages(run, 'warning').filter(m => /cache/i.test(m)), [], 'no cache warning: the restore was not stalled')
    } finally {
      service.beforeDownload = undefined
    }
  })

  it('pip: changed constraints miss the exact key but restore the nearest', { timeout: 240_000 }, async () => {
    const shared = tempDir()
    const file = path.join(shared, 'uc.txt')
    fs.writeFileSync(file, 'zhmcclient===0.18.0\nos-dpm===1.1.0\n')
    const first = await runAction(inputs(makeVenv(), { constraints: file, 'cache-key-suffix': 'pip-miss' }), runner(shared).env)
    assert.equal(first.code, 0, first.stdout)
    const firstKeys = service.committedKeys().filter(k => k.includes('pip-miss'))
    assert.equal(firstKeys.length, 1)
    fs.writeFileSync(file, 'zhmcclient===0.20.0\nos-dpm===1.1.0\n')
    const python = makeVenv()
    const second = await runAction(inputs(python, { constraints: file, 'cache-key-suffix': 'pip-miss' }), runner(shared).env)
    assert.equal(second.code, 0, second.stdout)
    assert.equal(second.outputs['cache-hit'], 'false')
    // The nearest entry is the first run's: same platform, packages, series and mode, other constraints.
    assert.ok(second.summary.includes(`partial hit on ${firstKeys[0]}, `), second.summary)
    assert.equal(installed(python).zhmcclient, '0.20.0')
    assert.equal(service.committedKeys().filter(k => k.includes('pip-miss')).length, 2)
  })

  /** The members of an archive the action saved. */
  function members(archive: Buffer): string[] {
    const file = path.join(tempDir(), 'entry.tar.compressed')
    fs.writeFileSync(file, archive)
    return execFileSync('tar', ['-t', '-f', file], { encoding: 'utf8' }).trim().split('\n')
  }
  const byteCode = (name: string) => /(^|\/)__pycache__(\/|$)|\.py[co]$/.test(name)

  it('venv: a hit restores the environment, verifies it and never runs pip install', { timeout: 240_000 }, async () => {
    const shared = tempDir()
    const base = makeVenv()
    const first = runner(shared)
    const cold = await runAction(inputs(base, { cache: 'venv', 'venv-path': first.venvPath, 'cache-key-suffix': 'venv-hit' }), first.env)
    assert.equal(cold.code, 0, cold.stdout)
    // The entry holds no byte code; the venv keeps its own, so later steps do not compile it again.
    const [saved] = service.committedKeys().filter(k => k.includes('-venv-hit-'))
    const names = members(service.archive(saved)!)
    assert.ok(names.some(n => n.endsWith('/site-packages/nova_dpm/__init__.py')), names.join('\n'))
    assert.deepEqual(names.filter(byteCode), [])
    const venvByteCode = execFileSync('find', [first.venvPath, '-name', '*.pyc'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean)
    assert.ok(venvByteCode.some(f => f.includes('/site-packages/nova_dpm/')), "the venv's byte code is kept")
    assert.ok(!fs.existsSync(path.dirname(entryPath(first.venvPath))), 'the stage is removed')
    const venvPython = path.join(first.venvPath, 'bin', 'python')
    assert.equal(cold.outputs['python-path'], venvPython)
    assert.equal(cold.exported.VIRTUAL_ENV, first.venvPath)
    assert.deepEqual(cold.paths, [path.join(first.venvPath, 'bin')])
    assert.equal(installed(base)['nova-dpm'], undefined, 'the base interpreter is left alone')

    const second = runner(shared)
    assert.ok(!fs.existsSync(second.venvPath))
    const requestsBefore = world.requests.length
    const warm = await runAction(inputs(base, { cache: 'venv', 'venv-path': second.venvPath, 'cache-key-suffix': 'venv-hit' }), second.env)
    assert.equal(warm.code, 0, warm.stdout)
    assert.equal(warm.outputs['cache-hit'], 'true')
    // Both sizes: what the entry unpacks to and what came down.
    assert.match(warm.summary, /<td>Cache restore<\/td><td>hit on setup-nova-dpm-\S+, \d+\.\d MiB unpacked, \d+\.\d MiB compressed in \d+\.\d s<\/td>/)
    assert.doesNotMatch(warm.stdout, /pip install/)
    assert.deepEqual(world.requests.slice(requestsBefore).filter(p => !p.startsWith('/constraints') && !p.startsWith('/requirements')), [])
    assert.equal(installed(venvPython)['nova-dpm'], '3.0.0')
    assert.equal(warm.exported.VIRTUAL_ENV, second.venvPath)
    assert.equal(warm.outputs['python-path'], venvPython)
  })

  it('venv: a hit whose RECORDs hash with another algorithm than SHA-256 is proved from what tar extracted', { timeout: 240_000 }, async () => {
    const shared = tempDir()
    const base = makeVenv()
    const ask = (venvPath: string) => inputs(base, { cache: 'venv', 'venv-path': venvPath, requirements: 'sha512-hashed', 'cache-key-suffix': 'sha512' })
    const first = runner(shared)
    const cold = await runAction(ask(first.venvPath), first.env)
    assert.equal(cold.code, 0, cold.stdout)
    const second = runner(shared)
    const warm = await runAction(ask(second.venvPath), second.env)
    assert.equal(warm.code, 0, warm.stdout)
    assert.equal(warm.outputs['cache-hit'], 'true', warm.stdout)
    assert.deepEqual(messages(warm, 'warning').filter(m => /cache|venv/i.test(m)), [])
    assert.doesNotMatch(warm.stdout, /pip install/)
    assert.equal(installed(path.join(second.venvPath, 'bin', 'python'))['sha512-hashed'], '1.0')
  })

  it('concurrent runs each save under a key of their own; the next run restores the newest', { timeout: 300_000 }, async () => {
    // Two workflow runs (two pushes) cache the same path (~/.cache/pip) for the same inputs at once: neither may fail or warn.
    // Their run ids keep their keys apart even within one millisecond (jobs of one run differ in the time).
    const shared = tempDir()
    const { env } = runner(shared)
    const runIds = ['7001', '7002']
    const pythons = [makeVenv(), makeVenv()]
    const runs = await Promise.all(
      pythons.map((python, i) => runAction(inputs(python, { 'cache-key-suffix': 'race' }), { ...env, GITHUB_RUN_ID: runIds[i], GITHUB_RUN_ATTEMPT: '2' }))
    )
    for (const run of runs) {
      assert.equal(run.code, 0, run.stdout)
      assert.deepEqual(messages(run, 'warning').filter(m => /cache/i.test(m)), [])
    }
    const identities = runs.map(r => r.summary.match(/<td>Cache<\/td><td>pip, key (\S+)<\/td>/)?.[1])
    assert.ok(identities[0] && identities[0] === identities[1], 'both runs computed one identity')
    const keys = service.committedKeys().filter(k => k.includes('race'))
    assert.equal(keys.length, 2, 'two saves, two keys: the service never refuses the second')
    assert.deepEqual(keys.map(k => k.slice(identities[0]!.length).replace(/-[0-9a-z]+$/, '')).sort(), ['7001-2', '7002-2'])

    const python = makeVenv()
    // A fresh runner: the pip cache directory at the same path (the path is part of the entry's version), empty.
    const next = await runAction(inputs(python, { 'cache-key-suffix': 'race' }), runner(shared).env)
    assert.equal(next.code, 0, next.stdout)
    assert.equal(next.outputs['cache-hit'], 'true')
    // The key restored, not the prefix asked for.
    assert.ok(next.summary.includes(`<td>Cache restore</td><td>hit on ${keys[1]}, `), next.summary)
    // The service answers a prefix with its most recently created entry.
    assert.ok(next.stdout.includes(`Cache hit for restore-key: ${keys[1]}\n`), next.stdout)
    assert.equal(service.committedKeys().filter(k => k.includes('race')).length, 2, 'a hit saves nothing')
    assert.equal(installed(python)['nova-dpm'], '3.0.0')
  })

  it('a failing cache service is a warning, and the install still happens', { timeout: 120_000 }, async () => {
    service.failWith = 400
    try {
      const python = makeVenv()
      const run = await runAction(inputs(python, { 'cache-key-suffix': 'broken' }), runner(tempDir()).env)
      assert.equal(run.code, 0, run.stdout)
      assert.equal(installed(python)['nova-dpm'], '3.0.0')
      assert.ok(messages(run, 'warning').some(m => /Cache restore failed, installing without it: the cache service answered HTTP 400/.test(m)), run.stdout)
      assert.equal(run.outputs['cache-hit'], 'false')
    } finally {
      service.failWith = undefined
    }
  })

  it('no cache service at all: one warning, then an uncached install', { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const run = await runAction(inputs(python))
    assert.equal(run.code, 0, run.stdout)
    assert.equal(messages(run, 'warning').filter(m => /cache service is not available/.test(m)).length, 1)
    assert.equal(installed(python)['nova-dpm'], '3.0.0')
  })

  describe('venv: an entry written by anyone who can write the cache runs nothing it did not prove', () => {
    // The runner layout of every run: the workspace holds the venv. Entries are saved from its stage, which the
    // toolkit names relative to the workspace: '../setup-nova-dpm-venv-entry-…/venv/…'.
    const shared = tempDir('nova-dpm-venv-trust-')
    const venv = path.join(shared, 'venv')
    const stage = entryPath(venv)
    const stageMember = path.relative(shared, stage)
    const pristine = path.join(tempDir(), 'venv')
    const marker = path.join(tempDir(), 'marker')
    const runner = () => {
      fs.rmSync(venv, { recursive: true, force: true })
      return { ...service.env, GITHUB_WORKSPACE: shared, PIP_CACHE_DIR: path.join(shared, 'pip'), PIP_TRUSTED_HOST: '127.0.0.1' }
    }
    const asked = () => inputs(base, { cache: 'venv', 'venv-path': venv, 'cache-key-suffix': 'trust' })
    const sitePackages = () => path.join(venv, 'lib', 'python3.11', 'site-packages')
    let base: string
    let identity: string

    before(async () => {
      base = makeVenv()
      const cold = await runAction(asked(), runner())
      assert.equal(cold.code, 0, cold.stdout)
      const [saved] = service.committedKeys().filter(k => k.includes('-trust-'))
      assert.ok(saved, 'the cold run saved the venv')
      identity = saved.replace(/[^-]+-[^-]+-[^-]+$/, '')
      // As the action saves it: without byte code.
      fs.cpSync(venv, pristine, { recursive: true, verbatimSymlinks: true, filter: source => !byteCode(source) })
    }, { timeout: 240_000 })

    /**
     * Plants the saved venv, changed by `tamper`, as the newest entry for the run's inputs, with `extra` members
     * beside it, in tar's `format`, its compressed bytes as `stored` leaves them.
     */
    function plant(name: string, tamper: () => void, extra: string[] = [], format = '--posix', stored = (archive: Buffer) => archive): void {
      fs.rmSync(venv, { recursive: true, force: true })
      fs.cpSync(pristine, venv, { recursive: true, verbatimSymlinks: true })
      tamper()
      fs.cpSync(venv, stage, { recursive: true, verbatimSymlinks: true })
      const archive = path.join(tempDir(), 'cache.tzst')
      try {
        execFileSync('tar', [format, '-cPf', archive, '--use-compress-program', 'zstd', '-C', shared, stageMember, ...extra], { stdio: 'pipe' })
      } finally {
        // Left there, it would be someone else's stage to the action, which then saves nothing.
        fs.rmSync(path.dirname(stage), { recursive: true, force: true })
      }
      service.plant(`${identity}${name}`, cacheVersion([stage], compressionMethod()), stored(fs.readFileSync(archive)))
      fs.rmSync(venv, { recursive: true, force: true })
      fs.rmSync(marker, { force: true })
    }

    /** The run refused the entry with a warning naming `found`, ran nothing from it, and rebuilt the venv with pip. */
    function assertRebuilt(run: ActionRun, found: RegExp): void {
      assert.equal(run.code, 0, run.stdout)
      assert.ok(!fs.existsSync(marker), `code from the entry ran: ${fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8') : ''}`)
      const refusal = messages(run, 'warning').find(m => /The venv cache entry .* Nothing from it was used; rebuilding the venv/.test(m))
      assert.ok(refusal, run.stdout)
      assert.match(refusal, found)
      assert.equal(run.outputs['cache-hit'], 'false')
      assert.match(run.stdout, /-m pip install/)
      assert.equal(installed(path.join(venv, 'bin', 'python'))['nova-dpm'], '3.0.0')
    }

    it('an extra .pth that writes a file: refused before any interpreter starts', { timeout: 240_000 }, async () => {
      plant('pth', () => fs.writeFileSync(path.join(sitePackages(), 'zz_cache.pth'), `import os; open(${JSON.stringify(marker)}, 'w').write('the .pth ran')\n`))
      const run = await runAction(asked(), runner())
      assertRebuilt(run, /lib\/python3\.11\/site-packages\/zz_cache\.pth is listed by no RECORD, and Python runs it at every start/)
      assert.ok(!fs.existsSync(path.join(sitePackages(), 'zz_cache.pth')))
    })

    it('a module changed behind its RECORD, size kept: refused by its hash, its code never imported', { timeout: 240_000 }, async () => {
      plant('hash', () => {
        // Verification imports nova_dpm: without the tree's hash check, this code would run.
        const module = path.join(sitePackages(), 'nova_dpm', '__init__.py')
        const size = fs.statSync(module).size
        const code = `open(${JSON.stringify(marker)}, 'w').write('the changed module ran')\n`
        assert.ok(code.length <= size, `nova_dpm/__init__.py holds ${size} bytes, fewer than the planted code`)
        fs.writeFileSync(module, code + '#'.repeat(size - code.length))
      })
      assertRebuilt(await runAction(asked(), runner()), /nova_dpm\/__init__\.py of nova_dpm-3\.0\.0\.dist-info was changed after it was installed \(its sha256 differs from the record\)/)
    })

    it('a sitecustomize.py: refused', { timeout: 240_000 }, async () => {
      plant('sitecustomize', () => fs.writeFileSync(path.join(sitePackages(), 'sitecustomize.py'), `open(${JSON.stringify(marker)}, 'w').write('sitecustomize ran')\n`))
      assertRebuilt(await runAction(asked(), runner()), /site-packages\/sitecustomize\.py is listed by no RECORD, and Python runs it at every start/)
    })

    it('a symbolic link out of the venv: refused', { timeout: 240_000 }, async () => {
      plant('link', () => fs.symlinkSync(shared, path.join(sitePackages(), 'nova_dpm', 'workspace')))
      assertRebuilt(await runAction(asked(), runner()), new RegExp(`site-packages/nova_dpm/workspace is a link to ${shared.replace(/[.]/g, '\\.')}, which the venv tool did not make`))
    })

    it('bin/python replaced by a script that execs the real one: refused, the script never runs', { timeout: 240_000 }, async () => {
      plant('interpreter', () => {
        const python = path.join(venv, 'bin', 'python')
        const real = fs.realpathSync(python)
        fs.rmSync(python)
        fs.writeFileSync(python, `#!/bin/sh\necho 'the script ran' > ${JSON.stringify(marker)}\nexec ${JSON.stringify(real)} "$@"\n`, { mode: 0o755 })
      })
      assertRebuilt(await runAction(asked(), runner()), /bin\/python is not the interpreter the venv tool links to/)
    })

    it("members with an absolute path or '..': nothing written outside the venv", { timeout: 240_000 }, async () => {
      // The workspace's setup.cfg and a file elsewhere, as the toolkit's 'tar -P' would have written them.
      const setupCfg = path.join(shared, 'setup.cfg')
      const elsewhere = path.join(tempDir(), 'planted')
      plant(
        'members',
        () => {
          fs.writeFileSync(setupCfg, '[hostile]\n')
          fs.writeFileSync(elsewhere, 'hostile\n')
        },
        [`${stageMember}/../../${path.basename(shared)}/setup.cfg`, elsewhere]
      )
      fs.rmSync(setupCfg)
      fs.rmSync(elsewhere)
      const run = await runAction(asked(), runner())
      const climbing = `${stageMember}/../../${path.basename(shared)}/setup.cfg`.replace(/[.]/g, '\\.')
      assertRebuilt(run, new RegExp(`holds members the action does not extract: ${climbing} has an empty, '\\.' or '\\.\\.' part; .*planted is an absolute path`))
      assert.ok(!fs.existsSync(setupCfg), 'the workspace was written to')
      assert.ok(!fs.existsSync(elsewhere), 'a file outside the workspace was written')
    })

    it('a link out of the venv with a member beneath it, extracted as the entry comes down: nothing is written through the link', { timeout: 240_000 }, async () => {
      const outside = tempDir('nova-dpm-beneath-')
      const link = path.join('lib', 'python3.11', 'site-packages', 'nova_dpm', 'out')
      plant(
        'beneath',
        () => {
          fs.symlinkSync(outside, path.join(venv, link))
          fs.writeFileSync(path.join(outside, 'planted'), 'hostile\n')
        },
        // Named through the link: tar stores it as a file beneath the link, after the link itself. The action's gate
        // withholds it from the extraction (tarReader.test.ts shows what tar is handed); GNU tar's own guard would refuse it too.
        [`${stageMember}/${link}/planted`]
      )
      fs.rmSync(path.join(outside, 'planted'))
      const run = await runAction(asked(), runner())
      assertRebuilt(run, new RegExp(`holds members the action does not extract: ${`${stageMember}/${link}/planted`.replace(/[.]/g, '\\.')} lies beneath a symbolic link of the archive`))
      assert.deepEqual(fs.readdirSync(outside), [], 'a file was written through the link')
    })

    it('byte code planted for a module, its header matching the source: refused, never run', { timeout: 240_000 }, async () => {
      plant('byte-code', () => {
        // Byte code Python takes for the module's own (the source's time and size in its header): verification imports nova_dpm.
        const script = [
          'import importlib.util, os, sys',
          'from importlib._bootstrap_external import _code_to_timestamp_pyc',
          'module, marker = sys.argv[1:]',
          'source = os.stat(module)',
          'code = compile("open(%r, \'w\').write(\'the planted byte code ran\')" % marker, module, "exec")',
          'target = importlib.util.cache_from_source(module)',
          'os.makedirs(os.path.dirname(target), exist_ok=True)',
          'open(target, "wb").write(_code_to_timestamp_pyc(code, source.st_mtime, source.st_size))'
        ].join('\n')
        execFileSync(path.join(venv, 'bin', 'python'), ['-B', '-c', script, path.join(sitePackages(), 'nova_dpm', '__init__.py'), marker])
      })
      assertRebuilt(await runAction(asked(), runner()), /nova_dpm\/__pycache__\/__init__\.cpython-311\.pyc is byte code no RECORD proves, which the action's venv entries never hold/)
    })

    it('an entry in a form GNU tar reads and the toolkit never writes (old GNU long names): refused, none of it used', { timeout: 240_000 }, async () => {
      plant('gnu-format', () => undefined, [], '--format=gnu')
      assertRebuilt(await runAction(asked(), runner()), /cannot be read as GNU tar writes entries: the entry holds tar type 'L' \(at byte \d+\), which the action does not read/)
    })

    it('an entry cut short: the warning names the decompression that failed first, not the listing that followed', { timeout: 240_000 }, async () => {
      plant('cut', () => undefined, [], '--posix', archive => archive.subarray(0, archive.length / 2))
      const run = await runAction(asked(), runner())
      assert.equal(run.code, 0, run.stdout)
      assert.ok(!fs.existsSync(marker))
      const failure = messages(run, 'warning').find(m => m.startsWith('Cache restore failed'))
      // By the zstd program (its exit code) on Node 20; by Node's own decoder on node24.
      assert.match(failure ?? run.stdout, /^Cache restore failed, installing without it: zstd could not decompress the entry( \(exit code \d+\))?: /)
      assert.equal(run.outputs['cache-hit'], 'false')
      assert.equal(installed(path.join(venv, 'bin', 'python'))['nova-dpm'], '3.0.0')
    })

    it('a download cut short: the warning names the transfer, not what was reading it as it came', { timeout: 240_000 }, async () => {
      plant('whole', () => undefined)
      service.cutDownloadAt = 1_000_000
      const run = await runAction(asked(), runner()).finally(() => (service.cutDownloadAt = undefined))
      assert.equal(run.code, 0, run.stdout)
      const failure = messages(run, 'warning').find(m => m.startsWith('Cache restore failed'))
      assert.match(failure ?? run.stdout, /^Cache restore failed, installing without it: aborted$/)
      assert.equal(run.outputs['cache-hit'], 'false')
      assert.equal(installed(path.join(venv, 'bin', 'python'))['nova-dpm'], '3.0.0')
    })

    it('a tar that takes nothing in while the entry comes down: the warning names tar, not the service whose download stood still', { timeout: 240_000 }, async () => {
      // Random bytes do not compress: the download outlasts what the sockets and pipes hold while the reading waits for tar.
      plant('stuck-tar', () => fs.writeFileSync(path.join(venv, 'incompressible.bin'), randomBytes(32 * 2 ** 20)))
      // GNU tar everywhere but the extraction from standard input, which stalls as on a stuck disk, then fails.
      const bin = tempDir('nova-dpm-stuck-tar-')
      fs.writeFileSync(path.join(bin, 'tar'), `#!/bin/sh\nif [ "$1" = -x ] && [ "$3" = - ]; then sleep 6; exit 2; fi\nexec ${JSON.stringify(execFileSync('sh', ['-c', 'command -v tar'], { encoding: 'utf8' }).trim())} "$@"\n`, { mode: 0o755 })
      const run = await runAction({ ...asked(), timeout: '2' }, { ...runner(), PATH: `${bin}:${process.env.PATH}` })
      assert.equal(run.code, 0, run.stdout)
      const failure = messages(run, 'warning').find(m => m.startsWith('Cache restore failed'))
      assert.match(failure ?? run.stdout, /^Cache restore failed, installing without it: GNU tar took in nothing of the entry for \d+ s, so its download stood still until it was stopped \(input 'timeout'\); the file system tar extracts to \(.*\) may be stuck$/)
      assert.equal(run.outputs['cache-hit'], 'false')
      assert.equal(installed(path.join(venv, 'bin', 'python'))['nova-dpm'], '3.0.0')
    })

    it('the entry the rebuild saved is proved and hit', { timeout: 120_000 }, async () => {
      const run = await runAction(asked(), runner())
      assert.equal(run.code, 0, run.stdout)
      assert.equal(run.outputs['cache-hit'], 'true')
      assert.doesNotMatch(run.stdout, /-m pip install/)
      assert.deepEqual(messages(run, 'warning').filter(m => /cache/i.test(m)), [])
    })
  })
})
