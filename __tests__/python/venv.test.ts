import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { Interpreter } from '../../src/python/interpreter.js'
import { createVenv, VENV_MARKER, venvPython, venvState } from '../../src/python/venv.js'
import { pyenvPrefix, pyenvPython } from '../fixtures/pythons.js'
import { cleanEnv, tempDir } from '../fixtures/runAction.js'
import { rejectsWith } from '../fixtures/assertions.js'

process.env.RUNNER_TEMP = tempDir('nova-dpm-runner-temp-')

const DEBIAN_PYTHON = '/usr/bin/python3'

/** pip and virtualenv without this machine's configuration; virtualenv's app data in a temp dir. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  return cleanEnv({ VIRTUALENV_OVERRIDE_APP_DATA: path.join(tempDir('nova-dpm-app-data-'), 'data'), ...extra })
}


/** Every file under `dir` with its bytes, to prove a directory was left untouched. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {}
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name)
    files[path.relative(dir, file)] = entry.isFile() ? fs.readFileSync(file).toString('base64') : entry.isDirectory() ? 'dir' : 'other'
  }
  return files
}

/**
 * An interpreter whose stdlib is the pyenv one minus ensurepip (or with
 * `ensurepip` replaced): CPython finds its prefix from the executable, and
 * every other stdlib entry is a symlink to the original.
 */
function pythonWithEnsurepip(source: { prefix: string; binary: string; lib: string }, ensurepip?: Record<string, string>): string {
  const root = tempDir('nova-dpm-no-ensurepip-')
  const lib = path.join(root, 'lib', path.basename(source.lib))
  fs.mkdirSync(path.join(root, 'bin'), { recursive: true })
  fs.mkdirSync(lib, { recursive: true })
  fs.copyFileSync(source.binary, path.join(root, 'bin', 'python3'))
  fs.chmodSync(path.join(root, 'bin', 'python3'), 0o755)
  for (const name of fs.readdirSync(source.lib)) {
    if (name !== 'ensurepip') fs.symlinkSync(path.join(source.lib, name), path.join(lib, name))
  }
  if (ensurepip) {
    fs.mkdirSync(path.join(lib, 'ensurepip'))
    for (const [name, text] of Object.entries(ensurepip)) fs.writeFileSync(path.join(lib, 'ensurepip', name), text)
  }
  return path.join(root, 'bin', 'python3')
}

function pyenv313(): { prefix: string; binary: string; lib: string } {
  const prefix = pyenvPrefix('3.13')
  return { prefix, binary: path.join(prefix, 'bin', 'python3.13'), lib: path.join(prefix, 'lib', 'python3.13') }
}

describe('venvState', () => {
  it('absent, empty, ours, foreign (a directory with files, a file)', { timeout: 5_000 }, () => {
    const dir = tempDir('nova-dpm-state-')
    assert.equal(venvState(path.join(dir, 'nothing')), 'absent')
    fs.mkdirSync(path.join(dir, 'empty'))
    assert.equal(venvState(path.join(dir, 'empty')), 'empty')
    fs.mkdirSync(path.join(dir, 'ours'))
    fs.writeFileSync(path.join(dir, 'ours', VENV_MARKER), '')
    fs.writeFileSync(path.join(dir, 'ours', 'pyvenv.cfg'), '')
    assert.equal(venvState(path.join(dir, 'ours')), 'ours')
    fs.mkdirSync(path.join(dir, 'workspace'))
    fs.writeFileSync(path.join(dir, 'workspace', 'setup.py'), '')
    assert.equal(venvState(path.join(dir, 'workspace')), 'foreign')
    fs.writeFileSync(path.join(dir, 'file'), 'x')
    assert.equal(venvState(path.join(dir, 'file')), 'foreign')
    fs.mkdirSync(path.join(dir, 'marker-dir', VENV_MARKER), { recursive: true })
    assert.equal(venvState(path.join(dir, 'marker-dir')), 'foreign')
  })
})

describe('createVenv with -m venv (Python 3)', () => {
  it('pyenv 3.11: a new venv with the bundled pip, marked, replaced on the next call', { timeout: 120_000 }, async () => {
    const base = await Interpreter.probe(pyenvPython('3.11'))
    const dir = path.join(tempDir('nova-dpm-venv-'), 'venv')
    const python = await createVenv(base, dir, { env: env() })
    assert.equal(python.facts.executable, venvPython(dir))
    assert.equal(python.facts.inVirtualEnv, true)
    assert.equal(python.facts.prefix, dir)
    assert.equal(python.facts.baseExecutable, fs.realpathSync(pyenvPython('3.11')))
    assert.equal(python.facts.pipVersion, '23.2.1')
    assert.equal(venvState(dir), 'ours')
    fs.writeFileSync(path.join(dir, 'left-over.txt'), 'from the last run')
    const again = await createVenv(base, dir, { env: env() })
    assert.equal(again.facts.pipVersion, '23.2.1')
    assert.equal(fs.existsSync(path.join(dir, 'left-over.txt')), false)
    assert.equal(venvState(dir), 'ours')
  })

  it("Debian's python3: the externally managed base gives a venv that is not", { timeout: 120_000 }, async () => {
    if (!fs.existsSync(DEBIAN_PYTHON)) throw new Error(`${DEBIAN_PYTHON} is missing: these tests need Debian's python3 and python3-venv.`)
    const base = await Interpreter.probe(DEBIAN_PYTHON)
    assert.equal(base.facts.externallyManaged, true)
    const dir = tempDir('nova-dpm-empty-venv-')
    const python = await createVenv(base, dir, { env: env() })
    assert.equal(python.facts.externallyManaged, false)
    assert.equal(python.facts.inVirtualEnv, true)
    assert.equal(python.facts.baseExecutable, fs.realpathSync(DEBIAN_PYTHON))
    assert.equal(python.facts.pipVersion, base.facts.pipVersion)
  })

  it('an interpreter without ensurepip: install python3-venv, and nothing is created', { timeout: 60_000 }, async () => {
    const base = await Interpreter.probe(pythonWithEnsurepip(pyenv313()))
    assert.equal(base.facts.hasVenv, false)
    const dir = path.join(tempDir('nova-dpm-venv-'), 'venv')
    await rejectsWith(
      createVenv(base, dir, { env: env() }),
      /^'.+\/bin\/python3' \(Python 3\.13\.0\) cannot create a virtual environment: its ensurepip module is missing\. On Debian\/Ubuntu install python3-venv \(apt-get install python3\.13-venv\)/
    )
    assert.equal(venvState(dir), 'absent')
  })

  it("Debian's venv finding ensurepip unusable says install python3-venv", { timeout: 60_000 }, async () => {
    const lib = '/usr/lib/python3.11'
    const base = await Interpreter.probe(
      pythonWithEnsurepip({ prefix: '/usr', binary: '/usr/bin/python3.11', lib }, { '__init__.py': fs.readFileSync(path.join(lib, 'ensurepip', '__init__.py'), 'utf8') })
    )
    assert.equal(base.facts.hasVenv, true)
    const dir = path.join(tempDir('nova-dpm-venv-'), 'venv')
    await rejectsWith(createVenv(base, dir, { env: env() }), /cannot create a virtual environment: its ensurepip module is missing\. On Debian\/Ubuntu install python3-venv/)
    assert.equal(venvState(dir), 'ours')
  })

  it("any other failure quotes venv's own message", { timeout: 60_000 }, async () => {
    const broken = 'import sys\nsys.exit("ensurepip is broken on purpose")\n'
    const base = await Interpreter.probe(pythonWithEnsurepip(pyenv313(), { '__init__.py': broken, '__main__.py': broken }))
    const dir = path.join(tempDir('nova-dpm-venv-'), 'venv')
    const message = await rejectsWith(
      createVenv(base, dir, { env: env() }),
      /^Could not create a virtual environment at .+\/venv with '.+ -m venv' \(exit code 1\): '.*returned non-zero exit status 1\.'$/
    )
    assert.doesNotMatch(message, /python3-venv/)
  })
})

describe('createVenv with virtualenv (Python 2.7)', () => {
  it("Debian's virtualenv on PATH makes a bare environment and its ensurepip adds pip 19.2.3", { timeout: 120_000 }, async () => {
    const base = await Interpreter.probe(pyenvPython('2.7'))
    assert.equal(base.facts.hasVenv, false)
    const dir = path.join(tempDir('nova-dpm-venv27-'), 'venv')
    const python = await createVenv(base, dir, { env: env() })
    assert.equal(python.facts.version, '2.7.18')
    assert.equal(python.facts.inVirtualEnv, true)
    assert.equal(python.facts.pipVersion, '19.2.3')
    assert.equal(python.facts.hasPkgResources, true)
    assert.equal(python.facts.baseExecutable, fs.realpathSync(pyenvPython('2.7')))
    assert.equal(venvState(dir), 'ours')
  })

  it('no virtualenv anywhere: how to get one, and nothing is created', { timeout: 30_000 }, async () => {
    const base = await Interpreter.probe(pyenvPython('2.7'))
    const dir = path.join(tempDir('nova-dpm-venv27-'), 'venv')
    await rejectsWith(
      createVenv(base, dir, { env: env({ PATH: path.join(dir, 'no-bin') }) }),
      /^'.+' is Python 2\.7\.18, which has no venv module, and neither it nor PATH has virtualenv .+ Run '.+ -m pip install "virtualenv<20\.22"' .+ or put a virtualenv older than 20\.22 on PATH \(Debian 12: apt-get install python3-virtualenv\)\.$/
    )
    assert.equal(venvState(dir), 'absent')
  })
})

describe('createVenv never touches a directory that is not its own', () => {
  it('a directory with files survives byte-exact, and the error names it', { timeout: 30_000 }, async () => {
    const base = await Interpreter.probe(pyenvPython('3.11'))
    const workspace = tempDir('nova-dpm-workspace-')
    fs.writeFileSync(path.join(workspace, 'setup.cfg'), '[metadata]\nname = mine\n')
    fs.mkdirSync(path.join(workspace, 'bin'))
    fs.writeFileSync(path.join(workspace, 'bin', 'python'), Buffer.from([0, 1, 2, 255]))
    const before = snapshot(workspace)
    const message = await rejectsWith(createVenv(base, workspace, { env: env() }), /is a directory the action did not create \(it has no \.setup-nova-dpm-venv marker\), so the action leaves it untouched/)
    assert.ok(message.includes(workspace), message)
    assert.match(message, /Set 'venv-path' to a new or empty directory, or to one this action created before\.$/)
    assert.deepEqual(snapshot(workspace), before)
  })

  it('a file at the path', { timeout: 30_000 }, async () => {
    const base = await Interpreter.probe(pyenvPython('3.11'))
    const file = path.join(tempDir('nova-dpm-file-'), 'venv')
    fs.writeFileSync(file, 'keep me')
    await rejectsWith(createVenv(base, file, { env: env() }), /is a file, not a directory/)
    assert.equal(fs.readFileSync(file, 'utf8'), 'keep me')
  })
})
