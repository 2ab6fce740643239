import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { findInterpreter, Interpreter, type PythonFacts } from '../../src/python/interpreter.js'
import { pyenvPrefix, pyenvPython, type PythonVersion } from '../fixtures/pythons.js'
import { cleanEnv, tempDir } from '../fixtures/runAction.js'
import { writeWheel } from '../fixtures/wheels.js'
import { rejectsWith } from '../fixtures/assertions.js'

process.env.RUNNER_TEMP = tempDir('nova-dpm-runner-temp-')

const DEBIAN_PYTHON = '/usr/bin/python3'

function debianPython(): string {
  if (!fs.existsSync(DEBIAN_PYTHON)) throw new Error(`${DEBIAN_PYTHON} is missing: these tests need Debian's python3 (apt-get install python3 python3-venv python3-virtualenv).`)
  return DEBIAN_PYTHON
}

/** A script at a path of its own, executable unless told otherwise. */
function script(name: string, text: string, mode = 0o755): string {
  const file = path.join(tempDir('nova-dpm-script-'), name)
  fs.writeFileSync(file, text, { mode })
  return file
}

/** Runs `body` with process.env changed, then puts it back. */
async function withEnv<T>(changes: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(changes).map(k => [k, process.env[k]]))
  Object.assign(process.env, changes)
  try {
    return await body()
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}


type Expectation = Pick<PythonFacts, 'version' | 'abi' | 'pipVersion' | 'hasVenv' | 'hasPkgResources' | 'externallyManaged' | 'hasVirtualenvModule'>

const PYENV: [PythonVersion, Expectation][] = [
  ['2.7', { version: '2.7.18', abi: 'cpython-27mu-x86_64-linux-gnu', pipVersion: '19.2.3', hasVenv: false, hasPkgResources: true, externallyManaged: false, hasVirtualenvModule: false }],
  ['3.6', { version: '3.6.15', abi: 'cpython-36m-x86_64-linux-gnu', pipVersion: '18.1', hasVenv: true, hasPkgResources: true, externallyManaged: false, hasVirtualenvModule: false }],
  ['3.7', { version: '3.7.16', abi: 'cpython-37m-x86_64-linux-gnu', pipVersion: '22.0.4', hasVenv: true, hasPkgResources: true, externallyManaged: false, hasVirtualenvModule: false }],
  ['3.11', { version: '3.11.7', abi: 'cpython-311-x86_64-linux-gnu', pipVersion: '23.2.1', hasVenv: true, hasPkgResources: true, externallyManaged: false, hasVirtualenvModule: false }],
  ['3.12', { version: '3.12.1', abi: 'cpython-312-x86_64-linux-gnu', pipVersion: '23.2.1', hasVenv: true, hasPkgResources: false, externallyManaged: false, hasVirtualenvModule: false }],
  ['3.13', { version: '3.13.0', abi: 'cpython-313-x86_64-linux-gnu', pipVersion: '24.2', hasVenv: true, hasPkgResources: false, externallyManaged: false, hasVirtualenvModule: false }]
]

describe('Interpreter.probe: the facts of every era', () => {
  for (const [version, expected] of PYENV) {
    it(`pyenv Python ${version}`, { timeout: 30_000 }, async () => {
      const python = pyenvPython(version)
      const { facts } = await Interpreter.probe(python)
      assert.deepEqual(
        {
          version: facts.version,
          abi: facts.abi,
          pipVersion: facts.pipVersion,
          hasVenv: facts.hasVenv,
          hasPkgResources: facts.hasPkgResources,
          externallyManaged: facts.externallyManaged,
          hasVirtualenvModule: facts.hasVirtualenvModule
        },
        expected
      )
      assert.equal(facts.executable, python)
      assert.equal(facts.major, Number(version.split('.')[0]))
      assert.equal(facts.minor, Number(version.split('.')[1]))
      assert.equal(facts.baseExecutable, fs.realpathSync(python))
      assert.equal(facts.prefix, pyenvPrefix(version))
      assert.equal(facts.inVirtualEnv, false)
    })
  }

  it(`Debian's ${DEBIAN_PYTHON}: externally managed, with virtualenv`, { timeout: 30_000 }, async () => {
    const { facts } = await Interpreter.probe(debianPython())
    assert.equal(facts.executable, DEBIAN_PYTHON)
    assert.match(facts.version, /^3\.11\.\d+$/)
    assert.equal(facts.abi, 'cpython-311-x86_64-linux-gnu')
    assert.equal(facts.externallyManaged, true)
    assert.equal(facts.inVirtualEnv, false)
    assert.equal(facts.hasVirtualenvModule, true)
    assert.equal(facts.hasVenv, true)
    assert.equal(facts.baseExecutable, fs.realpathSync(DEBIAN_PYTHON))
    assert.match(facts.pipVersion ?? '', /^\d+\.\d+/)
  })

  it('reports the real interpreter behind a pyenv shim', { timeout: 30_000 }, async () => {
    const shim = path.join(path.dirname(path.dirname(pyenvPrefix('3.7'))), 'shims', 'python')
    assert.ok(fs.existsSync(shim), `${shim} is missing: pyenv's shims are part of this machine`)
    const { facts } = await withEnv({ PYENV_VERSION: path.basename(pyenvPrefix('3.7')) }, () => Interpreter.probe(shim))
    assert.equal(facts.executable, pyenvPython('3.7'))
    assert.equal(facts.version, '3.7.16')
  })

  it('a setuptools that fails to import on 3.12 counts as no pkg_resources', { timeout: 60_000 }, async () => {
    const venv = path.join(tempDir('nova-dpm-venv312-'), 'venv')
    execFileSync(pyenvPython('3.12'), ['-m', 'venv', venv], { env: cleanEnv() })
    const setuptools65 = path.join(pyenvPrefix('3.11'), 'lib', 'python3.11', 'ensurepip', '_bundled', 'setuptools-65.5.0-py3-none-any.whl')
    execFileSync(path.join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '-q', '--no-index', setuptools65], { env: cleanEnv() })
    const python = await Interpreter.probe(path.join(venv, 'bin', 'python'))
    assert.equal(python.facts.hasPkgResources, false)
    assert.equal((await python.installed()).setuptools, '65.5.0')
  })
})

describe('Interpreter.probe: the job directory cannot shadow anything', () => {
  it('a json.py and a pip/ in the working directory and on PYTHONPATH are not imported', { timeout: 30_000 }, async () => {
    const workspace = tempDir('nova-dpm-workspace-')
    fs.writeFileSync(path.join(workspace, 'json.py'), 'raise SystemExit("the workspace json.py was imported")\n')
    fs.mkdirSync(path.join(workspace, 'pip'))
    fs.writeFileSync(path.join(workspace, 'pip', '__init__.py'), '__version__ = "0.0.shadow"\n')
    const before = process.cwd()
    process.chdir(workspace)
    try {
      for (const version of ['2.7', '3.11'] as const) {
        const python = await withEnv({ PYTHONPATH: workspace }, () => Interpreter.probe(pyenvPython(version)))
        assert.equal(python.facts.pipVersion, version === '2.7' ? '19.2.3' : '23.2.1')
        const pip = await withEnv({ PYTHONPATH: workspace }, () => python.pip(['--version'], { what: 'pip --version', timeoutMs: 30_000, env: cleanEnv() }))
        assert.equal(pip.exitCode, 0, pip.stderr)
        assert.match(pip.stdout, new RegExp(`^pip ${python.facts.pipVersion!.replace(/\./g, '\\.')} from ${pyenvPrefix(version)}/`))
      }
    } finally {
      process.chdir(before)
    }
  })
})

describe('Interpreter.probe: what is not a Python says so', () => {
  it('/bin/echo', { timeout: 10_000 }, async () => {
    await rejectsWith(Interpreter.probe('/bin/echo'), /^'\/bin\/echo' printed '.+' instead of the answer to the action's Python probe: is it a Python interpreter\?$/)
  })

  it('a wrapper that prints a banner and then starts Python is read past the banner', { timeout: 30_000 }, async () => {
    const python = pyenvPython('3.11')
    const wrapper = script('python', `#!/bin/sh\necho "Welcome to the build box"\necho "::warning::not a command"\nexec ${python} "$@"\n`)
    const { facts } = await Interpreter.probe(wrapper)
    assert.equal(facts.executable, python)
    assert.equal(facts.version, '3.11.7')
  })

  it('a wrapper that prints a banner and never starts Python', { timeout: 10_000 }, async () => {
    const wrapper = script('python', '#!/bin/sh\necho "Welcome to the build box"\n')
    await rejectsWith(Interpreter.probe(wrapper), /printed 'Welcome to the build box' instead of the answer to the action's Python probe: is it a Python interpreter\?/)
  })

  it('a program that fails', { timeout: 10_000 }, async () => {
    const failing = script('python', '#!/bin/sh\necho "libpython3.11.so.1.0: cannot open shared object file" >&2\nexit 3\n')
    await rejectsWith(Interpreter.probe(failing), /failed in the action's Python probe \(exit code 3\): 'libpython3\.11\.so\.1\.0: cannot open shared object file'\. Is it a Python interpreter, version 2\.7 or 3\.5 or later\?$/)
  })

  it('a program that hangs is stopped at the limit', { timeout: 15_000 }, async () => {
    const hanging = script('python', '#!/bin/sh\nsleep 60\n')
    const started = Date.now()
    await rejectsWith(Interpreter.probe(hanging, { timeoutMs: 1000 }), /did not finish the action's Python probe within 1 s and was stopped\. Is it a Python interpreter/)
    assert.ok(Date.now() - started < 10_000)
  })

  it('a missing file, a file that is not executable, a directory, a name not on PATH', { timeout: 10_000 }, async () => {
    const dir = tempDir('nova-dpm-notpython-')
    await rejectsWith(Interpreter.probe(path.join(dir, 'python')), /^The Python interpreter '.+\/python' does not exist\. Check the 'python' input\.$/)
    const plain = script('python', 'print("hello")\n', 0o644)
    await rejectsWith(Interpreter.probe(plain), /is not executable\. Point 'python' at the interpreter, or make it executable \(chmod \+x\)\./)
    await rejectsWith(Interpreter.probe(dir), /is a directory; point 'python' at the interpreter itself/)
    await rejectsWith(Interpreter.probe('no-such-python-here'), /^'no-such-python-here' is not on PATH\./)
  })

  it('Python 2.7 without pip: the facts say so and pip() explains how to get it', { timeout: 60_000 }, async () => {
    const dir = tempDir('nova-dpm-bare27-')
    execFileSync('/usr/bin/virtualenv', ['-q', '--no-seed', '-p', pyenvPython('2.7'), path.join(dir, 'venv')], {
      env: cleanEnv({ VIRTUALENV_OVERRIDE_APP_DATA: path.join(dir, 'app-data') }),
      stdio: 'pipe'
    })
    const python = await Interpreter.probe(path.join(dir, 'venv', 'bin', 'python'))
    assert.equal(python.facts.version, '2.7.18')
    assert.equal(python.facts.pipVersion, undefined)
    assert.equal(python.facts.inVirtualEnv, true)
    assert.equal(python.facts.baseExecutable, fs.realpathSync(pyenvPython('2.7')))
    await rejectsWith(
      python.pip(['install', 'nova-dpm'], { what: 'pip install', timeoutMs: 10_000 }),
      /^'.+\/venv\/bin\/python' \(Python 2\.7\.18\) has no pip\. Run '.+ -m ensurepip --upgrade' in a step before this one, or point 'python' at an interpreter with pip\.$/
    )
  })
})

describe('findInterpreter', () => {
  it('a name on PATH, a relative path, python before python3, and what is missing', { timeout: 10_000 }, async () => {
    const bin = tempDir('nova-dpm-bin-')
    fs.symlinkSync(pyenvPython('3.11'), path.join(bin, 'python3'))
    await withEnv({ PATH: bin }, async () => {
      assert.equal(await findInterpreter(undefined), path.join(bin, 'python3'))
      fs.symlinkSync(pyenvPython('3.13'), path.join(bin, 'python'))
      assert.equal(await findInterpreter(undefined), path.join(bin, 'python'))
      assert.equal(await findInterpreter('python3'), path.join(bin, 'python3'))
      await rejectsWith(findInterpreter('python2.7'), /^Input 'python' names 'python2\.7', which is not on PATH\./)
    })
    await withEnv({ PATH: path.join(bin, 'nothing') }, () => rejectsWith(findInterpreter(undefined), /^No 'python' or 'python3' on PATH\./))
    const before = process.cwd()
    process.chdir(path.dirname(bin))
    try {
      assert.equal(await findInterpreter(`./${path.basename(bin)}/python3`), path.join(bin, 'python3'))
      await rejectsWith(findInterpreter(`./${path.basename(bin)}/python4`), /does not exist/)
    } finally {
      process.chdir(before)
    }
  })
})

describe('Interpreter.installed', () => {
  it('lists dist-info and egg-info distributions by normalized name, as pip list does', { timeout: 30_000 }, async () => {
    const python = await Interpreter.probe(debianPython())
    const installed = await python.installed()
    const listed = JSON.parse(execFileSync(DEBIAN_PYTHON, ['-m', 'pip', 'list', '--format=json'], { env: cleanEnv(), encoding: 'utf8', cwd: os.tmpdir() })) as {
      name: string
      version: string
    }[]
    const expected = Object.fromEntries(listed.map(d => [d.name.toLowerCase().replace(/[-_.]+/g, '-'), d.version]))
    assert.deepEqual(installed, expected)
    assert.equal(installed['oslo-config'], '9.0.0')
  })

  it('sees a wheel installed into a 2.7 environment under its normalized name', { timeout: 60_000 }, async () => {
    const dir = tempDir('nova-dpm-installed27-')
    const wheel = writeWheel(path.join(dir, 'wheels'), { name: 'Oslo.Fake_Lib', version: '1.2.0' })
    execFileSync('/usr/bin/virtualenv', ['-q', '--no-seed', '-p', pyenvPython('2.7'), path.join(dir, 'venv')], {
      env: cleanEnv({ VIRTUALENV_OVERRIDE_APP_DATA: path.join(dir, 'app-data') }),
      stdio: 'pipe'
    })
    const venvPython = path.join(dir, 'venv', 'bin', 'python')
    execFileSync(venvPython, ['-m', 'ensurepip'], { env: cleanEnv(), stdio: 'pipe' })
    const python = await Interpreter.probe(venvPython)
    const result = await python.pip(['install', '--no-index', wheel], { what: 'pip install', timeoutMs: 60_000, env: cleanEnv() })
    assert.equal(result.exitCode, 0, result.stdout + result.stderr)
    assert.deepEqual(await python.installed(), { 'oslo-fake-lib': '1.2.0', pip: '19.2.3', setuptools: '41.2.0' })
  })
})
