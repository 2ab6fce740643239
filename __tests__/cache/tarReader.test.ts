import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { describe, it } from 'node:test'
import { extractRewritten, listArchive, MemberGate, refusedMembers, type Member } from '../../src/cache/archive.js'
import { TarReader, type TarMember } from '../../src/cache/tarReader.js'
import { RewrittenTar } from '../../src/cache/tarWriter.js'
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

/** What GNU tar's verbose listing shows of a member. */
function listed(members: readonly Member[]) {
  return members.map(({ type, name, permissions, size, target }) => ({ type, name, permissions, size, target }))
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
      assert.deepEqual(listed(await listArchive(`${archive}.zst`, 'zstd-without-long', `${archive}.index`)), listed(read))
      const byName = new Map(read.map(m => [m.name, m]))
      const deep = [...byName.keys()].find(name => name.endsWith(`/${'b'.repeat(long / 3)}/${'c'.repeat(long / 2)}.py`))
      assert.ok(deep && deep.length > 100, 'the long name is read whole')
      assert.equal(byName.get(deep)?.content?.toString(), 'x = 1\n')
      assert.equal(byName.get('venv/nåme wïth spaces -> arrow')?.content?.toString(), 'é'.repeat(700))
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

  it('hands each content over as views of the chunks it arrived in, and keeps only what it is asked to, as a copy', () => {
    const plain = fs.readFileSync(tarOf(sampleTree(300), ['--posix']))
    const whole = new Map(readTar(plain).map(m => [m.name, m]))
    for (const size of [1, 513, 4096]) {
      const chunks: Buffer[] = []
      // Outside Node's pool, so that a buffer's memory tells which chunk it is.
      for (let at = 0; at < plain.length; at += size) {
        const chunk = Buffer.alloc(Math.min(size, plain.length - at))
        plain.copy(chunk, 0, at)
        chunks.push(chunk)
      }
      const within = (part: Buffer, chunk: Buffer) => part.buffer === chunk.buffer && part.byteOffset >= chunk.byteOffset && part.byteOffset + part.length <= chunk.byteOffset + chunk.length
      const overlaps = (part: Buffer, chunk: Buffer) => part.buffer === chunk.buffer && part.byteOffset < chunk.byteOffset + chunk.length && chunk.byteOffset < part.byteOffset + part.length
      const arrived = new Map<string, Buffer>()
      const kept = (m: TarMember) => m.name.endsWith('arrow')
      const reader = new TarReader((member, content) => {
        for (const view of content) assert.ok(chunks.some(chunk => within(view, chunk)), `${member.name}: a view of a chunk, not a copy`)
        arrived.set(member.name, Buffer.concat(content))
      }, kept)
      for (const chunk of chunks) reader.push(chunk)
      for (const member of reader.end()) {
        assert.deepEqual(arrived.get(member.name), whole.get(member.name)?.content ?? Buffer.alloc(0), `${member.name} in chunks of ${size} bytes`)
        if (!kept(member) || member.type !== '-') assert.equal(member.content, undefined, `${member.name} is not kept`)
        else {
          assert.equal(member.content?.toString(), 'é'.repeat(700))
          assert.ok(!chunks.some(chunk => member.content && overlaps(member.content, chunk)), 'what is kept holds no chunk')
        }
      }
    }
  })

  it("refuses old GNU long names, which GNU tar reads but the toolkit's archives never hold", () => {
    const archive = tarOf(sampleTree(), ['--format=gnu'])
    assert.throws(() => readTar(fs.readFileSync(archive)), /tar type 'L'.*does not read/)
  })

  it('refuses a header whose checksum is wrong, a global pax header, an unknown pax keyword, base-256 numbers and a NUL in a pax name', () => {
    const root = sampleTree()
    const plain = fs.readFileSync(tarOf(root, ['--posix']))
    const changed = (at: number, bytes: string | number[]) => {
      const copy = Buffer.from(plain)
      Buffer.from(bytes as never).copy(copy, at)
      return copy
    }
    assert.throws(() => readTar(changed(0, 'z')), /checksum is wrong/)
    // GNU tar also takes the sum of the header's bytes read as signed, as old writers summed names past ASCII.
    const summed = (signed: boolean) => {
      const copy = changed(1, [0xe9])
      copy.fill(0x20, 148, 156)
      let sum = 0
      for (let i = 0; i < 512; i++) sum += signed && copy[i] > 127 ? copy[i] - 256 : copy[i]
      copy.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1')
      return copy
    }
    assert.doesNotThrow(() => readTar(summed(true)))
    assert.doesNotThrow(() => readTar(summed(false)))
    assert.throws(() => readTar(changed(148, '0000001')), /checksum is wrong/)
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
    assert.throws(() => readTar(Buffer.concat([header('x', record('path', 'venv/a\0b')), plain])), /a pax path holding a NUL byte/)
  })
})

const RULES = { within: 'the venv', links: true }

/** xorshift32 from `seed`: a number below `n` at each call, the same ones every run. */
function seeded(seed: number): (n: number) => number {
  return n => {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return (seed >>> 0) % n
  }
}

/** The action's rewriting of `members` (a reading of an archive of 'venv'), as GNU tar reads it. */
async function rewrite(members: readonly TarMember[], whole = true): Promise<Buffer> {
  const gate = new MemberGate('venv', RULES)
  const rewritten = new RewrittenTar('venv', member => gate.admits(member))
  const written: Buffer[] = []
  const sink = new PassThrough()
  sink.on('data', (chunk: Buffer) => written.push(chunk))
  const ended = new Promise(resolve => sink.on('end', resolve))
  rewritten.feed(sink)
  for (const member of members) {
    rewritten.member(member, member.content ? [member.content] : [])
    rewritten.flush()
  }
  rewritten.end(whole)
  await ended
  return Buffer.concat(written)
}

/** Every path below `root`, as what it is: a directory and its mode, a file, its mode, content and whole-second mtime, or a link and its target. */
function treeOf(root: string): Map<string, string> {
  const found = new Map<string, string>()
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name)
      const stat = fs.lstatSync(full)
      const relative = path.relative(root, full)
      if (stat.isSymbolicLink()) found.set(relative, `l ${fs.readlinkSync(full)}`)
      else if (stat.isDirectory()) {
        found.set(relative, `d ${(stat.mode & 0o7777).toString(8)}`)
        walk(full)
      } else if (stat.isFile()) found.set(relative, `- ${(stat.mode & 0o7777).toString(8)} ${Math.floor(stat.mtimeMs / 1000)} ${fs.readFileSync(full).toString('base64')}`)
      else found.set(relative, 'other')
    }
  }
  walk(root)
  return found
}

/** The tree `members` (a reading of 'venv') make when tar extracts them as the runner's user, its umask applied. */
function treeRead(members: readonly TarMember[]): Map<string, string> {
  const umask = process.umask()
  const mode = (member: TarMember) => (member.mode & 0o7777 & ~umask).toString(8)
  const expected = new Map<string, string>()
  for (const member of members) {
    if (member.name === 'venv') continue
    const relative = member.name.slice('venv/'.length)
    if (member.type === 'l') expected.set(relative, `l ${member.target}`)
    else if (member.type === 'd') expected.set(relative, `d ${mode(member)}`)
    else expected.set(relative, `- ${mode(member)} ${Math.floor(Number(member.mtime))} ${member.content?.toString('base64')}`)
  }
  // A directory no member names is made for the members below it, as tar makes one.
  for (const relative of [...expected.keys()]) {
    for (let parent = path.dirname(relative); parent !== '.'; parent = path.dirname(parent)) {
      if (!expected.has(parent)) expected.set(parent, `d ${(0o777 & ~umask).toString(8)}`)
    }
  }
  return expected
}

describe("the action's rewriting of what it read, which GNU tar extracts", () => {
  it('makes exactly the tree the action read: names of any length, modes, link targets, whole-second times and content', { timeout: 60_000 }, async () => {
    const root = sampleTree(300)
    for (const name of ['setuid', 'hard']) fs.rmSync(path.join(root, name))
    fs.mkdirSync(path.join(root, 'private'), { mode: 0o750 })
    fs.writeFileSync(path.join(root, 'private', 'timed'), 'x')
    fs.utimesSync(path.join(root, 'private', 'timed'), 1_000_000_000.75, 1_000_000_000.75)
    const read = readTar(fs.readFileSync(tarOf(root, ['--posix'])))
    assert.ok(read.some(m => Buffer.byteLength(m.name) > 100) && read.some(m => Buffer.byteLength(m.target ?? '') > 100), 'names and targets past ustar\'s fields')
    const rewritten = await rewrite(read)
    // Read again by the action, it is the same members, renamed below the venv.
    const again = readTar(rewritten, 4096)
    const renamed = read.filter(m => m.name !== 'venv').map(m => ({ ...m, name: m.name.slice('venv/'.length), mtime: String(Math.floor(Number(m.mtime))), sha256: undefined }))
    assert.deepEqual(again.map(m => ({ ...m, sha256: undefined })), renamed)
    const into = path.join(tempDir('nova-dpm-rewrite-'), 'venv')
    await extractRewritten(stdin => stdin.end(rewritten), into)
    assert.deepEqual(treeOf(into), treeRead(read))
    assert.match(treeOf(into).get('private/timed') ?? '', /^- [0-7]+ 1000000000 /)
  })

  it('writes nothing from the first member the rules refuse, and no end, so that tar fails', async () => {
    const member = (type: string, name: string, target?: string): TarMember => ({ type, name, target, permissions: 'rwxr-xr-x', mode: 0o755, mtime: '0', size: type === '-' ? 1 : 0, content: Buffer.from(type === '-' ? 'x' : '') })
    const cases: [TarMember[], string[]][] = [
      [[member('d', 'venv'), member('-', 'venv/a'), member('l', 'venv/l', '/etc'), member('-', 'venv/l/passwd'), member('-', 'venv/z')], ['a', 'l']],
      // A link over a directory a member before it lies in: the whole list refuses that member, the gate the link.
      [[member('d', 'venv'), member('-', 'venv/d/f'), member('l', 'venv/d', '/etc'), member('-', 'venv/z')], ['d/f']],
      [[member('-', 'venv/a'), member('-', 'venv/../b'), member('-', 'venv/c')], ['a']],
      [[member('-', 'venv/a'), member('-', 'venv/a')], ['a']]
    ]
    for (const [members, written] of cases) {
      assert.ok(refusedMembers(members, 'venv', RULES).length > 0, 'the whole list is refused')
      const rewritten = await rewrite(members)
      const reader = new TarReader()
      reader.push(rewritten)
      assert.throws(() => reader.end(), /an end before the end-of-archive blocks/)
      const names: string[] = []
      new TarReader(m => names.push(m.name)).push(rewritten)
      assert.deepEqual(names, written)
    }
  })
})

describe("the pace of the action's rewriting", () => {
  it('has the reading wait while tar is more than a few MiB behind, until tar takes it in or stops reading', { timeout: 10_000 }, async () => {
    const member = (name: string, size: number): TarMember => ({ type: '-', name, permissions: 'rw-r--r--', mode: 0o644, mtime: '0', size })
    for (const end of ['tar takes it in', 'tar stops'] as const) {
      let taking = false
      let release = () => undefined as void
      // Takes nothing until told to, as tar's pipe does when tar is behind.
      const sink = new Writable({
        write(_chunk, _encoding, done) {
          if (taking) done()
          else release = done
        }
      })
      sink.on('error', () => undefined)
      const rewritten = new RewrittenTar('venv', () => true)
      rewritten.feed(sink)
      rewritten.member(member('venv/small', 1000), [Buffer.alloc(1000)])
      rewritten.flush()
      assert.equal(rewritten.backlog(), undefined, 'a small backlog does not wait')
      rewritten.member(member('venv/large', 8 * 2 ** 20), [Buffer.alloc(8 * 2 ** 20)])
      rewritten.flush()
      const waiting = rewritten.backlog()
      assert.ok(waiting, `${end}: a backlog of 8 MiB waits`)
      let settled = false
      void waiting.then(() => (settled = true))
      await new Promise(resolve => setTimeout(resolve, 50))
      assert.equal(settled, false, `${end}: still waiting while tar takes nothing`)
      if (end === 'tar takes it in') {
        taking = true
        release()
      } else sink.destroy(new Error('EPIPE'))
      await waiting
    }
  })
})

describe("the action's reading and its rewriting, on archives changed at random", () => {
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

  it('wherever it accepts an archive, tar makes from its rewriting exactly the tree it read; wherever the rules refuse one, nothing outside the directory', { timeout: 120_000 }, async () => {
    const root = sampleTree(300)
    // What the rules refuse in every round would leave nothing to compare.
    for (const name of ['setuid', 'hard']) fs.rmSync(path.join(root, name))
    const pristine = fs.readFileSync(tarOf(root, ['--posix']))
    const blocks = headers(pristine)
    // The header fields a writer of the cache could set: name, mode, size, type, link name, magic, prefix; and pax records.
    const fields: [number, number][] = [[0, 100], [100, 108], [124, 136], [156, 157], [157, 257], [257, 265], [345, 500], [512, 600]]
    const random = seeded(2463534242)
    const work = tempDir('nova-dpm-tar-fuzz-')
    const outcomes = { unreadToUs: 0, refusedByRules: 0, extracted: 0 }
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
      const gate = new MemberGate('venv', RULES)
      for (const member of read) gate.admits(member)
      const refused = refusedMembers(read, 'venv', RULES).length > 0
      assert.equal(gate.shut, refused, `round ${round}: the gate and the whole list part`)
      // Extracted one level down: whatever the rules refuse, tar writes nothing beside it.
      const into = path.join(work, `x${round}`, 'venv')
      const rewritten = await rewrite(read)
      const failed = await extractRewritten(stdin => stdin.end(rewritten), into).then(() => false, () => true)
      assert.deepEqual(fs.readdirSync(path.dirname(into)), ['venv'], `round ${round}: tar wrote beside the directory`)
      if (refused) {
        outcomes.refusedByRules++
        continue
      }
      assert.equal(failed, false, `round ${round}: tar refused the rewriting of an accepted reading`)
      assert.deepEqual(treeOf(into), treeRead(read), `round ${round}: the tree tar made is not what the action read`)
      outcomes.extracted++
    }
    // The rounds reach every outcome, so that the trees compared differ from the pristine one.
    assert.ok(outcomes.extracted > 20 && outcomes.unreadToUs > 20 && outcomes.refusedByRules > 5, JSON.stringify(outcomes))
  })
})

describe('the gate asked member by member, against the whole list', () => {
  it('refuses a list exactly when refusedMembers does, on lists drawn at random', () => {
    const names = ['venv', 'venv/a', 'venv/a/b', 'venv/a/b/c', 'venv/l', 'venv/l/x', 'venv/../x', '/abs', 'other/y', 'venv/a//d']
    const kinds = ['-', 'd', 'l', 'l', 'h']
    const random = seeded(88172645)
    const outcomes = { refused: 0, accepted: 0 }
    for (let round = 0; round < 2000; round++) {
      const members: Member[] = []
      for (let n = 1 + random(5); n > 0; n--) {
        const type = kinds[random(kinds.length)]
        members.push({ type, name: names[random(names.length)], permissions: 'rwxr-xr-x', size: 0, target: type === 'l' || type === 'h' ? 'a' : undefined })
      }
      for (const rules of [RULES, { within: "pip's cache directory", links: false }]) {
        const gate = new MemberGate('venv', rules)
        for (const member of members) gate.admits(member)
        const refused = refusedMembers(members, 'venv', rules).length > 0
        assert.equal(gate.shut, refused, JSON.stringify(members))
        outcomes[refused ? 'refused' : 'accepted']++
      }
    }
    assert.ok(outcomes.accepted > 200 && outcomes.refused > 200, JSON.stringify(outcomes))
  })
})
