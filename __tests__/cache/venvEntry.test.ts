import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { ENTRY_MARKER, entryPath, removeStage, saveVenv, stageEntry } from '../../src/cache/venvEntry.js'
import { warningsSoFar } from '../../src/log/log.js'
import { tempDir } from '../fixtures/runAction.js'

const SITE = 'lib/python3.11/site-packages'

/** A venv's shapes: byte code of both eras, links absolute and relative, an executable, nested and read-only directories. */
function makeTree(root: string): string {
  const venv = path.join(root, 'venv')
  const file = (relative: string, text: string, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(venv, relative)), { recursive: true })
    fs.writeFileSync(path.join(venv, relative), text, { mode })
    fs.chmodSync(path.join(venv, relative), mode)
  }
  file('.setup-nova-dpm-venv', 'marker\n')
  file('pyvenv.cfg', 'home = /usr/bin\n')
  file('bin/nova-dpm-tool', '#!/bin/sh\necho tool\n', 0o755)
  fs.symlinkSync('/usr/bin/python3', path.join(venv, 'bin', 'python'))
  fs.symlinkSync('python', path.join(venv, 'bin', 'python3'))
  fs.symlinkSync('lib', path.join(venv, 'lib64'))
  file(`${SITE}/nova_dpm/__init__.py`, 'import nova_dpm.virt\n')
  file(`${SITE}/nova_dpm/__pycache__/__init__.cpython-311.pyc`, 'byte code')
  file(`${SITE}/nova_dpm/__pycache__/__init__.cpython-311.opt-1.pyc`, 'byte code')
  file(`${SITE}/nova_dpm/virt/dpm/driver.py`, 'class DPMDriver: pass\n')
  file(`${SITE}/nova_dpm/virt/dpm/driver.pyc`, 'byte code of 2.7')
  file(`${SITE}/nova_dpm/virt/dpm/driver.pyo`, 'optimized byte code of 2.7')
  // A wheel's own byte code, with no source beside it: proved by its RECORD's hash, so kept.
  file(`${SITE}/closed/core.pyc`, 'shipped byte code')
  file(`${SITE}/nova_dpm/virt/dpm/data/notes.txt`, 'nested\n')
  file(`${SITE}/nova_dpm-3.0.0.dist-info/RECORD`, 'nova_dpm/__init__.py,,\n')
  file(`${SITE}/frozen/data.txt`, 'in a read-only directory\n')
  fs.chmodSync(path.join(venv, SITE, 'frozen'), 0o555)
  fs.chmodSync(path.join(venv, SITE, 'nova_dpm', 'virt'), 0o750)
  return venv
}

/** Every entry below `root`, relative, with what the stage must keep of it. */
function listing(root: string): Map<string, { kind: string; mode: number; target?: string; ino: number; dev: number }> {
  const found = new Map<string, { kind: string; mode: number; target?: string; ino: number; dev: number }>()
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name)
      const stat = fs.lstatSync(full)
      const kind = stat.isDirectory() ? 'dir' : stat.isSymbolicLink() ? 'link' : 'file'
      found.set(path.relative(root, full), { kind, mode: stat.mode & 0o7777, target: kind === 'link' ? fs.readlinkSync(full) : undefined, ino: stat.ino, dev: stat.dev })
      if (kind === 'dir') walk(full)
    }
  }
  walk(root)
  return found
}

const byteCode = (relative: string) => /(^|\/)__pycache__(\/|$)|\.py[co]$/.test(relative) && !relative.endsWith('closed/core.pyc')

/** Runs `script` (an ES module body with `venvEntry` imported) as the unprivileged user `nobody`, as a runner's user is. */
function asNobody(script: string, home: string): string {
  const module = new URL('../../src/cache/venvEntry.ts', import.meta.url).pathname
  const body = `import * as venvEntry from ${JSON.stringify(module)}\nimport * as fs from 'node:fs'\nimport * as path from 'node:path'\n${script}`
  return execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'env', `HOME=${home}`, process.execPath, '--import', 'tsx', '--input-type=module', '-e', body], {
    encoding: 'utf8',
    timeout: 60_000,
    // Where tsx is found.
    cwd: new URL('../..', import.meta.url).pathname
  })
}

describe('entryPath: where a venv is staged and saved', () => {
  it('is a function of the venv path alone, distinct per venv, in the temporary directory', () => {
    const tmp = tempDir()
    const saved = process.env.RUNNER_TEMP
    const first = entryPath('/home/runner/work/_temp/venv', tmp)
    process.env.RUNNER_TEMP = tempDir()
    try {
      assert.equal(entryPath('/home/runner/work/_temp/venv', tmp), first, 'another run (another RUNNER_TEMP) finds the same path')
    } finally {
      if (saved === undefined) delete process.env.RUNNER_TEMP
      else process.env.RUNNER_TEMP = saved
    }
    assert.equal(entryPath('/home/runner/work/_temp/other/../venv', tmp), first, 'the same venv, however spelt')
    assert.notEqual(entryPath('/home/runner/work/_temp/venv2', tmp), first)
    assert.notEqual(entryPath('/opt/venv', tmp), first)
    assert.match(first, new RegExp(`^${tmp}/setup-nova-dpm-venv-entry-[0-9a-f]{16}/venv$`))
    assert.equal(path.dirname(entryPath('/opt/venv')), path.join(os.tmpdir(), path.basename(path.dirname(entryPath('/opt/venv', tmp)))))
  })
})

describe('stageEntry: the venv without its byte code', () => {
  it('mirrors everything else: files as hard links, links with their target text, modes kept', () => {
    const venv = makeTree(tempDir())
    const tmp = tempDir()
    const before = listing(venv)
    const stage = stageEntry(venv, tmp)
    assert.equal(stage, entryPath(venv, tmp))
    const staged = listing(stage)
    const expected = [...before.keys()].filter(relative => !byteCode(relative))
    assert.ok(expected.length < before.size, 'the tree holds byte code')
    assert.deepEqual([...staged.keys()], expected)
    for (const [relative, entry] of staged) {
      const original = before.get(relative)!
      assert.equal(entry.kind, original.kind, relative)
      assert.equal(entry.mode, original.mode, `${relative}: mode`)
      assert.equal(entry.target, original.target, `${relative}: link target`)
      if (entry.kind === 'file') assert.deepEqual([entry.dev, entry.ino], [original.dev, original.ino], `${relative} is a hard link of the venv's file`)
    }
    const top = path.dirname(stage!)
    assert.equal(fs.statSync(top).mode & 0o777, 0o700, 'no other user may change what the entry holds')
    assert.ok(fs.statSync(path.join(top, ENTRY_MARKER)).isFile())

    removeStage(stage!)
    assert.ok(!fs.existsSync(top))
    assert.deepEqual(listing(venv), before, "the venv keeps its byte code, and removing the stage leaves it as it was")
  })

  it('on another file system: copies, with their content, modes and times', () => {
    // /dev/shm is a tmpfs; the temporary directory is on the disk.
    assert.notEqual(fs.statSync('/dev/shm').dev, fs.statSync(os.tmpdir()).dev, 'this test needs /dev/shm on a file system of its own')
    const root = fs.mkdtempSync('/dev/shm/nova-dpm-venv-entry-')
    try {
      const venv = makeTree(root)
      const stage = stageEntry(venv, tempDir())!
      try {
        for (const [relative, entry] of listing(stage)) {
          const original = fs.lstatSync(path.join(venv, relative))
          assert.equal(entry.mode, original.mode & 0o7777, `${relative}: mode`)
          if (entry.kind !== 'file') continue
          assert.notEqual(entry.dev, original.dev)
          assert.deepEqual(fs.readFileSync(path.join(stage, relative)), fs.readFileSync(path.join(venv, relative)), relative)
          assert.ok(Math.abs(fs.statSync(path.join(stage, relative)).mtimeMs - original.mtimeMs) < 0.01, `${relative}: time`)
        }
        assert.ok(fs.existsSync(path.join(stage, SITE, 'nova_dpm', 'virt', 'dpm', 'driver.py')))
        assert.ok(!fs.existsSync(path.join(stage, SITE, 'nova_dpm', 'virt', 'dpm', 'driver.pyc')))
      } finally {
        removeStage(stage)
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true })
    }
  })

  it("as the runner's user: a file of another owner is copied (protected hard links), the rest still linked; read-only directories are removed", { timeout: 60_000 }, () => {
    const home = tempDir()
    fs.chmodSync(home, 0o755)
    const venv = makeTree(home)
    execFileSync('chown', ['-R', '-h', '65534:65534', venv])
    const rootsFile = path.join(venv, SITE, 'nova_dpm', 'virt', 'dpm', 'driver.py')
    fs.chownSync(rootsFile, 0, 0)
    const tmp = path.join(home, 'tmp')
    fs.mkdirSync(tmp)
    fs.chownSync(tmp, 65534, 65534)
    const answer = asNobody(
      `const stage = venvEntry.stageEntry(${JSON.stringify(venv)}, ${JSON.stringify(tmp)})
       const ino = relative => [fs.statSync(path.join(${JSON.stringify(venv)}, relative)).ino, fs.statSync(path.join(stage, relative)).ino]
       const [frozen, ours, roots] = [${JSON.stringify(`${SITE}/frozen`)}, 'pyvenv.cfg', ${JSON.stringify(path.relative(venv, rootsFile))}]
       const result = { frozenMode: fs.statSync(path.join(stage, frozen)).mode & 0o777, ours: ino(ours), roots: ino(roots), rootsText: fs.readFileSync(path.join(stage, roots), 'utf8') }
       venvEntry.removeStage(stage)
       console.log(JSON.stringify({ ...result, removed: !fs.existsSync(path.dirname(stage)) }))`,
      home
    )
    const result = JSON.parse(answer.trim().split('\n').pop()!)
    assert.equal(result.frozenMode, 0o555, 'the read-only directory is read-only in the stage')
    assert.equal(result.ours[0], result.ours[1], "the user's own file is a hard link")
    assert.notEqual(result.roots[0], result.roots[1], "root's file is a copy")
    assert.equal(result.rootsText, 'class DPMDriver: pass\n')
    assert.equal(result.removed, true, 'the stage, read-only directory and all, is removed')
  })

  it("a leftover of the action's own (a job killed while saving) is replaced", () => {
    const venv = makeTree(tempDir())
    const tmp = tempDir()
    const stage = entryPath(venv, tmp)
    fs.mkdirSync(path.join(stage, 'stale', 'locked'), { recursive: true })
    fs.writeFileSync(path.join(path.dirname(stage), ENTRY_MARKER), 'Created by setup-nova-dpm\n')
    fs.chmodSync(path.join(stage, 'stale'), 0o555)
    const warned = warningsSoFar().length
    assert.equal(stageEntry(venv, tmp), stage)
    assert.ok(!fs.existsSync(path.join(stage, 'stale')))
    assert.ok(fs.existsSync(path.join(stage, 'pyvenv.cfg')))
    assert.deepEqual(warningsSoFar().slice(warned), [])
    removeStage(stage)
  })

  it("a directory there without the marker, or a link there, is someone else's: untouched, a warning, no stage", () => {
    const venv = makeTree(tempDir())
    for (const plant of ['directory', 'link'] as const) {
      const tmp = tempDir()
      const top = path.dirname(entryPath(venv, tmp))
      const theirs = tempDir()
      fs.writeFileSync(path.join(theirs, 'data.txt'), 'theirs\n')
      if (plant === 'directory') fs.cpSync(theirs, top, { recursive: true })
      else {
        // A link to a directory that even holds the marker: the link itself is not the action's.
        fs.writeFileSync(path.join(theirs, ENTRY_MARKER), 'forged\n')
        fs.symlinkSync(theirs, top)
      }
      const before = listing(top)
      const warned = warningsSoFar().length
      assert.equal(stageEntry(venv, tmp), undefined, plant)
      assert.deepEqual(listing(top), before, `${plant}: untouched`)
      assert.equal(fs.lstatSync(top).isSymbolicLink(), plant === 'link')
      const [warning, ...more] = warningsSoFar().slice(warned)
      assert.deepEqual(more, [])
      assert.ok(warning.includes(`The venv is not saved to the cache: its entry is staged in ${top}, which exists and is not the action's`), warning)
      assert.match(warning, /Remove it, or set TMPDIR to another directory\.$/)
    }
  })
})

describe('saveVenv', () => {
  it('a venv that cannot be read is a warning and a save that did not happen; nothing is left behind', { timeout: 30_000 }, async () => {
    const tmp = tempDir()
    // Gone between the install and the save: the stage's top is made before the venv is read.
    const venv = path.join(tempDir(), 'venv')
    const saved = process.env.TMPDIR
    process.env.TMPDIR = tmp
    try {
      const warned = warningsSoFar().length
      const result = await saveVenv(venv, 'setup-nova-dpm-v3-venv-test', 10)
      assert.equal(result.saved, false)
      assert.equal(result.bytes, 0)
      assert.deepEqual(fs.readdirSync(tmp), [], 'the stage is removed')
      assert.match(warningsSoFar().slice(warned).join('\n'), /^Cache save failed; the next run will install uncached again: the venv could not be staged for the cache: /)
    } finally {
      if (saved === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = saved
    }
  })
})
