import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { extractArchive, listArchive, readingDiffers, refusedMembers } from '../../src/cache/archive.js'
import { TarReader, type TarMember } from '../../src/cache/tarReader.js'
import { tempDir } from '../fixtures/runAction.js'

/** A tree with what a venv holds and the names that make tar write extended headers. */
/** `long`: how long the long names are; ustar stores a name of up to 255 bytes (split at a '/') and a link target of 100. */
function sampleTree(long = 150): string {
  const root = path.join(tempDir('nova-dpm-tar-'), 'venv')
  const deep = path.join(root, 'lib', 'python3.11', 'site-packages', 'a'.repeat(long / 3), 'b'.repeat(long / 3))
  fs.mkdirSync(deep, { recursive: true })
  fs.writeFileSync(path.join(deep, `${'c'.repeat(long / 2)}.py`), 'x = 1\n')
  fs.writeFileSync(path.join(root, 'pyvenv.cfg'), 'home = /usr/bin\n')
  fs.writeFileSync(path.join(root, 'empty'), '')
  fs.writeFileSync(path.join(root, 'nåme wïth spaces -> arrow'), 'é'.repeat(700))
  fs.writeFileSync(path.join(root, 'script'), '#!/bin/sh\n', { mode: 0o755 })
  fs.writeFileSync(path.join(root, 'setuid'), 'x', { mode: 0o4755 })
  fs.chmodSync(path.join(root, 'setuid'), 0o4755)
  fs.mkdirSync(path.join(root, 'bin'))
  fs.symlinkSync('/usr/bin/python3', path.join(root, 'bin', 'python'))
  fs.symlinkSync(`../${'t'.repeat(long - 60)}`, path.join(root, 'bin', 'long-link'))
  fs.linkSync(path.join(root, 'script'), path.join(root, 'hard'))
  return root
}

/** The reading of a whole archive, pushed in chunks of `size` bytes (as zstd hands its output over: any size). */
function readTar(archive: Buffer, size = archive.length): TarMember[] {
  const reader = new TarReader()
  for (let at = 0; at < archive.length; at += size) reader.push(archive.subarray(at, at + size))
  return reader.end()
}

function tarOf(root: string, format: string[]): string {
  const archive = path.join(tempDir('nova-dpm-tar-'), 'entry.tar')
  execFileSync('tar', [...format, '-cf', archive, '-C', path.dirname(root), path.basename(root)], { stdio: 'pipe' })
  return archive
}

describe("the action's reading of an entry", () => {
  for (const [label, format, long] of [
    ["the toolkit's (--posix)", ['--posix'], 300],
    ['ustar', ['--format=ustar'], 150]
  ] as const) {
    it(`reads a ${label} archive as GNU tar lists it, content included`, async () => {
      const root = sampleTree(long)
      const archive = tarOf(root, [...format])
      const read = readTar(fs.readFileSync(archive))
      execFileSync('zstd', ['-q', archive, '-o', `${archive}.zst`])
      assert.equal(readingDiffers(await listArchive({ file: `${archive}.zst`, compression: 'zstd-without-long' }, `${archive}.index`), read), undefined)
      const byName = new Map(read.map(m => [m.name, m]))
      const deep = [...byName.keys()].find(name => name.endsWith(`/${'b'.repeat(long / 3)}/${'c'.repeat(long / 2)}.py`))
      assert.ok(deep && deep.length > 100, 'the long name is read whole')
      assert.equal(byName.get(deep)?.content.toString(), 'x = 1\n')
      assert.equal(byName.get('venv/nåme wïth spaces -> arrow')?.content.toString(), 'é'.repeat(700))
      assert.equal(byName.get('venv/script')?.permissions, 'rwxr-xr-x')
      assert.equal(byName.get('venv/setuid')?.permissions, 'rwsr-xr-x')
      assert.equal(byName.get('venv/bin/python')?.target, '/usr/bin/python3')
      // The second of two names for one file is stored as a hard link to the first, whichever tar met first.
      const hard = read.find(m => m.type === 'h')
      assert.ok(hard && ['venv/hard', 'venv/script'].includes(hard.name) && ['venv/hard', 'venv/script'].includes(hard.target ?? ''), JSON.stringify(hard))
      assert.equal(byName.get('venv/bin/long-link')?.target, `../${'t'.repeat(long - 60)}`)
    })
  }

  it('reads the same members whatever the chunks the archive arrives in, and refuses one cut short', () => {
    const plain = fs.readFileSync(tarOf(sampleTree(300), ['--posix']))
    const whole = readTar(plain)
    // Headers, pax records and contents split anywhere: inside a block, on its edge, one byte at a time.
    for (const size of [1, 7, 511, 512, 513, 1000, 4096, 65536]) {
      assert.deepEqual(readTar(plain, size), whole, `in chunks of ${size} bytes`)
    }
    const content = plain.indexOf(Buffer.from('é'.repeat(700)))
    assert.throws(() => readTar(plain.subarray(0, content + 100), 512), /content runs past the end/)
    assert.throws(() => readTar(plain.subarray(0, content - 512), 512), /an end before the end-of-archive blocks/)
  })

  it("refuses old GNU long names, which GNU tar reads but the toolkit's archives never hold", () => {
    const archive = tarOf(sampleTree(), ['--format=gnu'])
    assert.throws(() => readTar(fs.readFileSync(archive)), /tar type 'L'.*does not read/)
  })

  it('refuses a header whose checksum is wrong, a global pax header, an unknown pax keyword and base-256 numbers', () => {
    const root = sampleTree()
    const plain = fs.readFileSync(tarOf(root, ['--posix']))
    const changed = (at: number, bytes: string | number[]) => {
      const copy = Buffer.from(plain)
      Buffer.from(bytes as never).copy(copy, at)
      return copy
    }
    assert.throws(() => readTar(changed(0, 'z')), /checksum is wrong/)
    const header = (type: string, data: string, edit = (block: Buffer) => block) => {
      const block = Buffer.alloc(512)
      block.write('./PaxHeaders/x', 0)
      block.write('0000644\0', 100)
      block.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124)
      block.write(type, 156)
      block.write('ustar\u000000', 257)
      edit(block)
      block.fill(0x20, 148, 156)
      let sum = 0
      for (const byte of block) sum += byte
      block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148)
      const content = Buffer.alloc(Math.ceil(data.length / 512) * 512)
      content.write(data)
      return Buffer.concat([block, content])
    }
    const record = (key: string, value: string) => {
      const body = ` ${key}=${value}\n`
      let length = body.length + 2
      if (String(length).length + body.length !== length) length = String(length + 1).length + body.length
      return `${length}${body}`
    }
    assert.throws(() => readTar(Buffer.concat([header('g', record('comment', 'x')), plain])), /tar type 'g'/)
    assert.throws(() => readTar(Buffer.concat([header('x', record('SCHILY.xattr.user.x', 'y')), plain])), /pax keyword "SCHILY\.xattr\.user\.x"/)
    assert.throws(() => readTar(header('0', '', block => block.fill(0x80, 124, 125))), /base-256/)
  })

  it('names where its reading and GNU tar part', () => {
    const listed = [{ type: '-', permissions: 'rw-r--r--', name: 'venv/a', size: 3 }]
    const read = [{ ...listed[0], content: Buffer.from('abc') }]
    assert.equal(readingDiffers(listed, read), undefined)
    assert.match(readingDiffers(listed, [{ ...read[0], size: 4 }]) ?? '', /member 1 \(venv\/a\) differently: its size/)
    assert.match(readingDiffers(listed, [{ ...read[0], type: 'd' }]) ?? '', /its kind/)
    assert.match(readingDiffers(listed, [...read, { ...read[0], name: 'venv/b' }]) ?? '', /GNU tar reads 1 members and the action 2/)
  })
})

describe("the action's reading and GNU tar's, on archives changed at random", () => {
  /** Offsets of every header block (pax headers included) of a plain tar. */
  function headers(archive: Buffer): number[] {
    const found: number[] = []
    for (let at = 0; at + 512 <= archive.length && archive[at] !== 0; ) {
      found.push(at)
      const size = parseInt(archive.toString('latin1', at + 124, at + 136).replace(/\0.*$/s, '').trim() || '0', 8)
      at += 512 + Math.ceil(size / 512) * 512
    }
    return found
  }

  function withChecksum(archive: Buffer, at: number): void {
    archive.fill(0x20, at + 148, at + 156)
    let sum = 0
    for (let i = at; i < at + 512; i++) sum += archive[i]
    archive.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'latin1')
  }

  it('wherever they both accept an archive and agree on its members, tar extracts the content the action proved', { timeout: 120_000 }, async () => {
    const root = sampleTree(300)
    // What the rules refuse in every round would leave nothing to compare.
    for (const name of ['setuid', 'hard']) fs.rmSync(path.join(root, name))
    const pristine = fs.readFileSync(tarOf(root, ['--posix']))
    const blocks = headers(pristine)
    // The header fields a writer of the cache could set: name, mode, size, type, link name, magic, prefix; and pax records.
    const fields: [number, number][] = [[0, 100], [100, 108], [124, 136], [156, 157], [157, 257], [257, 265], [345, 500], [512, 600]]
    // xorshift32, seeded: the same rounds every run.
    let seed = 2463534242
    const random = (n: number) => {
      seed ^= seed << 13
      seed ^= seed >>> 17
      seed ^= seed << 5
      return (seed >>> 0) % n
    }
    const work = tempDir('nova-dpm-tar-fuzz-')
    const outcomes = { unreadToUs: 0, unreadToTar: 0, refusedByRules: 0, differ: 0, agreed: 0 }
    for (let round = 0; round < 300; round++) {
      const archive = Buffer.from(pristine)
      const at = blocks[random(blocks.length)]
      const [from, to] = fields[random(fields.length)]
      const bytes = '0123456789/. x\0abcLK75g'
      for (let n = 1 + random(3); n > 0; n--) archive[at + from + random(to - from)] = bytes.charCodeAt(random(bytes.length))
      withChecksum(archive, at)
      let read
      try {
        read = readTar(archive, 1 + random(4096))
      } catch {
        outcomes.unreadToUs++
        continue
      }
      const file = path.join(work, `r${round}.tar`)
      fs.writeFileSync(file, archive)
      execFileSync('zstd', ['-q', '-f', file, '-o', `${file}.zst`])
      let listed
      try {
        listed = await listArchive({ file: `${file}.zst`, compression: 'zstd-without-long' }, `${file}.index`)
      } catch {
        outcomes.unreadToTar++
        continue
      }
      if (refusedMembers(listed, 'venv', { within: 'the venv', links: true }).length > 0) {
        outcomes.refusedByRules++
        continue
      }
      if (readingDiffers(listed, read)) {
        outcomes.differ++
        continue
      }
      outcomes.agreed++
      const into = path.join(work, `x${round}`)
      await extractArchive(`${file}.zst`, 'zstd-without-long', into, 1)
      for (const member of read.filter(m => m.type === '-')) {
        const written = path.join(into, member.name.slice('venv/'.length))
        assert.deepEqual(fs.readFileSync(written), member.content, `round ${round}: ${member.name} as tar wrote it is not what the action read`)
      }
    }
    // The rounds reach every outcome, so that agreement is tested on archives that differ from the pristine one.
    assert.ok(outcomes.agreed > 20 && outcomes.unreadToUs > 20, JSON.stringify(outcomes))
  })
})
