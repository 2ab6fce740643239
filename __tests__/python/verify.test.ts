import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { before, describe, it } from 'node:test'
import { Interpreter } from '../../src/python/interpreter.js'
import { checkListedFiles, inspectEnvironment, verifyEnvironment, recordEntries, type Expected, type Files } from '../../src/python/verify.js'
import { createVenv } from '../../src/python/venv.js'
import { pyenvPython, type PythonVersion } from '../fixtures/pythons.js'
import { cleanEnv, tempDir } from '../fixtures/runAction.js'
import { writeWheel } from '../fixtures/wheels.js'

process.env.RUNNER_TEMP = tempDir('nova-dpm-runner-temp-')

const DEBIAN_PYTHON = '/usr/bin/python3'
const NOVA: Expected = { name: 'nova-dpm', module: 'nova_dpm' }
const LIMIT = { timeoutMs: 60_000 }

/**
 * nova-dpm 3.0.0 -> os-dpm, zhmcclient>=0.14, helper[cli] (-> clicky),
 * undeclared[cli] (an extra it does not declare), plus a Windows-only and a
 * test-extra requirement that do not apply here. A
 * bystander with a missing dependency is installed beside it, outside the closure.
 */
function writeWheels(): string {
  const dir = tempDir('nova-dpm-wheels-')
  writeWheel(dir, {
    name: 'nova-dpm',
    version: '3.0.0',
    requires: [
      'os-dpm>=1.0',
      'zhmcclient>=0.14',
      'helper[cli]>=1.0',
      'undeclared[cli]',
      'pywin32>=300; sys_platform == "win32"',
      'pytest-never; extra == "test"'
    ]
  })
  writeWheel(dir, { name: 'os-dpm', version: '1.0.0', requires: ['zhmcclient>=0.14'] })
  writeWheel(dir, { name: 'zhmcclient', version: '0.20.0', files: { 'zhmcclient/__init__.py': '__version__ = "0.20.0"  # the HMC client\n' } })
  writeWheel(dir, { name: 'zhmcclient', version: '0.9.0' })
  // writeWheel has no field for Provides-Extra; the header rides on the last requirement's line.
  writeWheel(dir, { name: 'helper', version: '1.0.0', requires: ['clicky; extra == "cli"\nProvides-Extra: cli'] })
  // pip ignores an extra the distribution does not declare, and so does the verification.
  writeWheel(dir, { name: 'undeclared', version: '1.0.0', requires: ['never-installed; extra == "cli"'] })
  writeWheel(dir, { name: 'clicky', version: '1.0.0' })
  writeWheel(dir, { name: 'broken-bystander', version: '1.0.0', requires: ['not-there>=1'] })
  writeWheel(dir, { name: 'bad-import', version: '1.0.0', files: { 'bad_import/__init__.py': 'raise RuntimeError("needs an HMC to talk to")\n' } })
  writeWheel(dir, { name: 'crasher', version: '1.0.0', files: { 'crasher/__init__.py': 'import os\nos._exit(7)\n' } })
  writeWheel(dir, {
    name: 'noisy',
    version: '1.0.0',
    files: {
      'noisy/__init__.py': 'import sys, threading, time\nsys.stdout.write("hello from noisy, no newline")\nthreading.Thread(target=time.sleep, args=(120,)).start()\n'
    }
  })
  return dir
}

let wheels: string

async function pip(python: Interpreter, args: string[]): Promise<void> {
  const result = await python.pip(args, { what: `pip ${args[0]}`, timeoutMs: 120_000, env: cleanEnv() })
  assert.equal(result.exitCode, 0, `pip ${args.join(' ')}: ${result.stdout}${result.stderr}`)
}

const novaVenvs = new Map<PythonVersion, Promise<Interpreter>>()

/** A venv of that version with nova-dpm's closure and the bystander installed, made once per file. */
function novaVenvOf(version: PythonVersion): Promise<Interpreter> {
  if (!novaVenvs.has(version)) novaVenvs.set(version, novaVenv(pyenvPython(version)))
  return novaVenvs.get(version)!
}

async function novaVenv(base: string): Promise<Interpreter> {
  const python = await createVenv(await Interpreter.probe(base), path.join(tempDir('nova-dpm-verify-'), 'venv'), {
    env: cleanEnv({ VIRTUALENV_OVERRIDE_APP_DATA: path.join(tempDir('nova-dpm-app-data-'), 'data') })
  })
  await pip(python, ['install', '--no-index', '--find-links', wheels, 'nova-dpm'])
  await pip(python, ['install', '--no-index', '--find-links', wheels, '--no-deps', 'broken-bystander'])
  return python
}

function sitePackages(python: Interpreter): string {
  return path.join(python.facts.prefix, 'lib', `python${python.facts.major}.${python.facts.minor}`, 'site-packages')
}

before(() => {
  wheels = writeWheels()
})

// The environments are independent: made and checked side by side.
describe('verifyEnvironment on every era', { concurrency: true }, () => {
  for (const version of ['2.7', '3.6', '3.7', '3.11', '3.13'] as PythonVersion[]) {
    it(`pyenv ${version}: a good environment passes though a bystander is broken`, { timeout: 180_000 }, async t => {
      const python = await novaVenvOf(version)
      const check = await python.pip(['check'], { what: 'pip check', timeoutMs: 60_000, env: cleanEnv() })
      assert.notEqual(check.exitCode, 0, 'pip check should see the bystander')
      const started = Date.now()
      const verified = await verifyEnvironment(python.facts.executable, [{ ...NOVA, range: v => v.startsWith('3.'), wanted: '>=3,<4' }], { ...LIMIT, facts: true })
      t.diagnostic(`verify on ${python.facts.version}: ${Date.now() - started} ms`)
      assert.deepEqual(verified.problems, [])
      // Learnt after the imports, in their start: what a start of their own learns.
      assert.ok(verified.facts, 'the facts were answered')
      assert.deepEqual(Interpreter.answered(verified.facts, python.facts.executable).facts, python.facts)
      assert.deepEqual(verified.versions, { 'nova-dpm': '3.0.0' })
      assert.match(verified.imported.nova_dpm, new RegExp(`^${sitePackages(python)}/nova_dpm/__init__\\.pyc?$`))
    })
  }

  for (const version of ['2.7', '3.6', '3.11'] as PythonVersion[]) {
    it(`pyenv ${version}: the inspection names the closure's members a constraints file would change, and lists everything`, { timeout: 180_000 }, async () => {
      const python = await novaVenvOf(version)
      const constraints = path.join(tempDir('nova-dpm-uc-'), 'upper-constraints.txt')
      const lines = [
        '# met, unmet, a marker that does not apply, projects outside the closure (the second with a marker no parser reads), a line no parser reads',
        'zhmcclient===0.20.0',
        'os-dpm>=1.0,<2',
        "helper===9.9.9;python_version>='2.7'",
        "clicky===2.0.0;python_version=='1.0'",
        'broken-bystander===0.1',
        "outsider===1.0;python_version<'2'",
        'outsider===1.0;python_version==',
        '-e git+https://git.example/helper#egg=helper'
      ]
      fs.writeFileSync(constraints, `${lines.join('\n')}\n`)
      const found = await inspectEnvironment(python.facts.executable, [NOVA], { ...LIMIT, constraintsFile: constraints })
      assert.deepEqual(found.problems, [])
      assert.deepEqual(found.unmet, [
        "helper 1.0.0 (constraint helper===9.9.9;python_version>='2.7')",
        'outsider===1.0;python_version==',
        '-e git+https://git.example/helper#egg=helper'
      ])
      assert.equal(found.installed['nova-dpm'], '3.0.0')
      assert.equal(found.installed['broken-bystander'], '1.0.0')
      assert.ok('pip' in found.installed, JSON.stringify(found.installed))
      const without = await inspectEnvironment(python.facts.executable, [NOVA], LIMIT)
      assert.deepEqual(without.unmet, [], 'no constraints file, nothing unmet')
    })
  }

  it(`Debian's python3 in a --system-site-packages venv: Debian's packages in the closure, its broken PyGObject outside it`, { timeout: 180_000 }, async () => {
    if (!fs.existsSync(DEBIAN_PYTHON)) throw new Error(`${DEBIAN_PYTHON} is missing: these tests need Debian's python3 with python3-oslo.config.`)
    const venv = path.join(tempDir('nova-dpm-debian-'), 'venv')
    execFileSync(DEBIAN_PYTHON, ['-m', 'venv', '--system-site-packages', venv], { env: cleanEnv() })
    const python = await Interpreter.probe(path.join(venv, 'bin', 'python'))
    const dir = tempDir('nova-dpm-wheels-')
    writeWheel(dir, { name: 'nova-dpm', version: '3.0.0', requires: ['oslo.config>=6.0', 'PyYAML>=5.1'] })
    await pip(python, ['install', '--no-index', '--find-links', dir, 'nova-dpm'])
    const check = await python.pip(['check'], { what: 'pip check', timeoutMs: 60_000, env: cleanEnv() })
    assert.match(check.stdout, /pygobject .* requires pycairo, which is not installed/)
    const verified = await verifyEnvironment(python.facts.executable, [NOVA], LIMIT)
    assert.deepEqual(verified.problems, [])
    assert.deepEqual(verified.versions, { 'nova-dpm': '3.0.0' })
  })
})

describe('verifyEnvironment finds what is wrong (3.11)', () => {
  let python: Interpreter
  let site: string
  before(async () => {
    python = await novaVenvOf('3.11')
    site = sitePackages(python)
    await pip(python, ['install', '--no-index', '--find-links', wheels, 'bad-import', 'noisy', 'crasher'])
  })

  /** Breaks the environment, verifies, and puts it back. */
  async function problemsWhile(breakIt: () => Promise<void> | void, repair: () => Promise<void> | void, expected: Expected[] = [NOVA]): Promise<string[]> {
    await breakIt()
    try {
      return (await verifyEnvironment(python.facts.executable, expected, LIMIT)).problems
    } finally {
      await repair()
      assert.deepEqual((await verifyEnvironment(python.facts.executable, [NOVA], LIMIT)).problems, [], 'the repair restores a good environment')
    }
  }

  it('a good environment: the closure with versions, the files checked and hashed, as the RECORDs list them', { timeout: 60_000 }, async () => {
    const verified = await verifyEnvironment(python.facts.executable, [NOVA], LIMIT)
    assert.deepEqual(verified.problems, [])
    const closure = { 'nova-dpm': '3.0.0', 'os-dpm': '1.0.0', zhmcclient: '0.20.0', helper: '1.0.0', undeclared: '1.0.0', clicky: '1.0.0' }
    assert.deepEqual(verified.closure, closure, 'the bystander, bad-import and pip are outside the closure')
    // Counted here from the RECORD files themselves: every row but the RECORD's own and byte code listed without a hash.
    const rows = Object.entries(closure).flatMap(([name, version]) =>
      fs.readFileSync(path.join(site, `${name.replace(/-/g, '_')}-${version}.dist-info`, 'RECORD'), 'utf8').split('\n').filter(row => row && !/\/RECORD,/.test(row))
    )
    const hashed = rows.filter(row => /,sha256=/.test(row)).length
    assert.ok(hashed > 6 && rows.length > hashed, `${rows.length} rows, ${hashed} hashed`)
    assert.deepEqual(verified.files, { checked: rows.filter(row => /,sha256=/.test(row) || !/\.pyc,/.test(row)).length, hashed })
    assert.deepEqual(Object.keys(verified.imported), ['nova_dpm'])
  })

  it('a deleted file', { timeout: 60_000 }, async () => {
    const file = path.join(site, 'nova_dpm', '__init__.py')
    const bytes = fs.readFileSync(file)
    const problems = await problemsWhile(
      () => fs.rmSync(file),
      () => fs.writeFileSync(file, bytes)
    )
    assert.deepEqual(problems, ['nova_dpm/__init__.py of nova-dpm 3.0.0 is missing'])
  })

  it('a changed byte (same size) and a changed size in a dependency', { timeout: 60_000 }, async () => {
    const file = path.join(site, 'zhmcclient', '__init__.py')
    const bytes = fs.readFileSync(file)
    const changed = Buffer.from(bytes)
    changed[changed.indexOf('HMC')] = 'X'.charCodeAt(0)
    assert.deepEqual(
      await problemsWhile(
        () => fs.writeFileSync(file, changed),
        () => fs.writeFileSync(file, bytes)
      ),
      ['zhmcclient/__init__.py of zhmcclient 0.20.0 was changed after it was installed (its sha256 differs from the record)']
    )
    assert.deepEqual(
      await problemsWhile(
        () => fs.appendFileSync(file, '\n'),
        () => fs.writeFileSync(file, bytes)
      ),
      [`zhmcclient/__init__.py of zhmcclient 0.20.0 was changed after it was installed (${bytes.length + 1} bytes, not ${bytes.length})`]
    )
  })

  it('a FIFO in place of a module is named, never read (a read would wait past the time limit)', { timeout: 60_000 }, async () => {
    const file = path.join(site, 'zhmcclient', '__init__.py')
    const bytes = fs.readFileSync(file)
    const problems = await problemsWhile(
      () => {
        fs.rmSync(file)
        execFileSync('mkfifo', [file])
      },
      () => {
        fs.rmSync(file)
        fs.writeFileSync(file, bytes)
      }
    )
    assert.deepEqual(problems, ['zhmcclient/__init__.py of zhmcclient 0.20.0 is not a regular file'])
  })

  it('many missing files are summed up', { timeout: 60_000 }, async () => {
    const pipDir = path.join(site, 'pip', '_internal', 'commands')
    const commands = Object.fromEntries(fs.readdirSync(pipDir).filter(n => n.endsWith('.py')).map(n => [n, fs.readFileSync(path.join(pipDir, n))]))
    const problems = await problemsWhile(
      () => Object.keys(commands).forEach(n => fs.rmSync(path.join(pipDir, n))),
      () => Object.entries(commands).forEach(([n, bytes]) => fs.writeFileSync(path.join(pipDir, n), bytes)),
      [NOVA, { name: 'pip', module: 'pip' }]
    )
    assert.equal(problems.length, 6, problems.join('\n'))
    assert.match(problems[0], /^pip\/_internal\/commands\/\w+\.py of pip 23\.2\.1 is missing$/)
    assert.equal(problems[5], `${Object.keys(commands).length - 5} more files of pip 23.2.1 are missing or changed; reinstall it (or drop the cache that restored it)`)
  })

  it('a scripts entry outside site-packages (../../../bin/pip) is checked where it is', { timeout: 60_000 }, async () => {
    const script = path.join(python.facts.prefix, 'bin', 'pip3')
    const bytes = fs.readFileSync(script)
    const problems = await problemsWhile(
      () => fs.rmSync(script),
      () => fs.writeFileSync(script, bytes, { mode: 0o755 }),
      [NOVA, { name: 'pip', module: 'pip' }]
    )
    assert.deepEqual(problems, ['../../../bin/pip3 of pip 23.2.1 is missing'])
  })

  it('a dependency at a version that does not satisfy its requirers', { timeout: 120_000 }, async () => {
    const problems = await problemsWhile(
      () => pip(python, ['install', '--no-index', '--find-links', wheels, '--no-deps', 'zhmcclient==0.9.0']),
      () => pip(python, ['install', '--no-index', '--find-links', wheels, '--no-deps', 'zhmcclient==0.20.0'])
    )
    assert.deepEqual(problems, [
      'zhmcclient 0.9.0 does not satisfy zhmcclient>=0.14 required by nova-dpm 3.0.0',
      'zhmcclient 0.9.0 does not satisfy zhmcclient>=0.14 required by os-dpm 1.0.0'
    ])
  })

  it('a missing dependency, and one that only an extra asks for', { timeout: 120_000 }, async () => {
    const problems = await problemsWhile(
      () => pip(python, ['uninstall', '-y', 'os-dpm', 'clicky']),
      () => pip(python, ['install', '--no-index', '--find-links', wheels, '--no-deps', 'os-dpm', 'clicky'])
    )
    assert.deepEqual(problems, ['os-dpm>=1.0 required by nova-dpm 3.0.0 is not installed', 'clicky required by helper 1.0.0 is not installed'])
  })

  it('outside the range, not installed, and imports that fail', { timeout: 60_000 }, async () => {
    const verified = await verifyEnvironment(
      python.facts.executable,
      [
        { ...NOVA, range: v => v.startsWith('2.'), wanted: '>=2.0.0,<3.0.0' },
        { name: 'networking-dpm', module: 'networking_dpm' },
        { name: 'bad-import', module: 'bad_import' }
      ],
      LIMIT
    )
    assert.deepEqual(verified.problems, [
      'nova-dpm 3.0.0 is installed, outside the range asked for (>=2.0.0,<3.0.0)',
      `networking-dpm is not installed for ${python.facts.executable}`,
      "'import networking_dpm' fails: ModuleNotFoundError: No module named 'networking_dpm'",
      "bad-import 1.0.0 is installed but 'import bad_import' fails: RuntimeError: needs an HMC to talk to"
    ])
    assert.deepEqual(verified.versions, { 'nova-dpm': '3.0.0', 'bad-import': '1.0.0' })
  })

  it('a module that prints and leaves a thread running does not spoil or stall the answer', { timeout: 30_000 }, async () => {
    const started = Date.now()
    const verified = await verifyEnvironment(python.facts.executable, [NOVA, { name: 'noisy', module: 'noisy' }], LIMIT)
    assert.deepEqual(verified.problems, [])
    assert.ok(Date.now() - started < 20_000)
  })

  it('a module whose import ends the interpreter is named', { timeout: 30_000 }, async () => {
    await assert.rejects(verifyEnvironment(python.facts.executable, [NOVA, { name: 'crasher', module: 'crasher' }], LIMIT), {
      name: 'ActionError',
      message: `'${python.facts.executable}' failed in importing the installed modules (exit code 7): 'while: import crasher'.`
    })
  })

  it("a nova_dpm/ folder and a json.py in the job's working directory do not shadow the installed ones", { timeout: 30_000 }, async () => {
    const workspace = tempDir('nova-dpm-workspace-')
    fs.mkdirSync(path.join(workspace, 'nova_dpm'))
    fs.writeFileSync(path.join(workspace, 'nova_dpm', '__init__.py'), 'raise ImportError("the workspace copy was imported")\n')
    fs.writeFileSync(path.join(workspace, 'json.py'), 'raise SystemExit("the workspace json.py was imported")\n')
    const cwd = process.cwd()
    process.chdir(workspace)
    try {
      const verified = await verifyEnvironment(python.facts.executable, [NOVA], LIMIT)
      assert.deepEqual(verified.problems, [])
      assert.equal(verified.imported.nova_dpm, path.join(site, 'nova_dpm', '__init__.py'))
    } finally {
      process.chdir(cwd)
    }
  })
})

describe('verifyEnvironment on 2.7', () => {
  let python: Interpreter
  before(async () => {
    python = await novaVenvOf('2.7')
  })

  it('a deleted file and a conflicting dependency', { timeout: 120_000 }, async () => {
    const file = path.join(sitePackages(python), 'os_dpm', '__init__.py')
    fs.rmSync(file)
    await pip(python, ['install', '--no-index', '--find-links', wheels, '--no-deps', 'zhmcclient==0.9.0'])
    const verified = await verifyEnvironment(python.facts.executable, [NOVA], LIMIT)
    assert.deepEqual(verified.problems, [
      'zhmcclient 0.9.0 does not satisfy zhmcclient>=0.14 required by nova-dpm 3.0.0',
      'zhmcclient 0.9.0 does not satisfy zhmcclient>=0.14 required by os-dpm 1.0.0',
      'os_dpm/__init__.py of os-dpm 1.0.0 is missing'
    ])
  })

  it('a legacy setup.py install (egg-info: requires.txt sections, installed-files.txt)', { timeout: 120_000 }, async () => {
    const site = sitePackages(python)
    const project = tempDir('nova-dpm-legacy-')
    fs.mkdirSync(path.join(project, 'legacy_dpm'))
    fs.writeFileSync(path.join(project, 'legacy_dpm', '__init__.py'), 'VERSION = "1.0.0"\n')
    fs.writeFileSync(
      path.join(project, 'setup.py'),
      [
        'from setuptools import setup',
        'setup(name="legacy-dpm", version="1.0.0", packages=["legacy_dpm"],',
        '      install_requires=["clicky>=1.0"],',
        '      extras_require={"hmc": ["zhmcclient>=0.14"], ":sys_platform == \'win32\'": ["pywin32"]})'
      ].join('\n') + '\n'
    )
    // The driver asks for legacy-dpm's "hmc" extra, so zhmcclient joins the closure through a requires.txt section.
    const users = tempDir('nova-dpm-wheels-')
    writeWheel(users, { name: 'legacy-driver', version: '2.0.0', requires: ['legacy-dpm[hmc]>=1.0'] })
    await pip(python, ['install', '--no-index', '--find-links', wheels, '--no-deps', 'zhmcclient==0.20.0'])
    await pip(python, ['install', '--no-index', '--find-links', wheels, project])
    await pip(python, ['install', '--no-index', '--no-deps', fs.readdirSync(users).map(n => path.join(users, n))[0]])
    const info = fs.readdirSync(site).find(n => n.startsWith('legacy_dpm-1.0.0') && n.endsWith('.egg-info'))
    assert.ok(info && fs.existsSync(path.join(site, info, 'installed-files.txt')), 'pip 19 on 2.7 installs a project without wheel by setup.py install')
    const driver: Expected = { name: 'legacy-driver', module: 'legacy_dpm' }
    assert.deepEqual((await verifyEnvironment(python.facts.executable, [driver], LIMIT)).problems, [])
    // Python 2 imports a package from its .pyc alone: the whole package goes.
    fs.rmSync(path.join(site, 'legacy_dpm'), { recursive: true })
    await pip(python, ['uninstall', '-y', 'clicky'])
    await pip(python, ['install', '--no-index', '--find-links', wheels, '--no-deps', 'zhmcclient==0.9.0'])
    const verified = await verifyEnvironment(python.facts.executable, [driver], LIMIT)
    assert.deepEqual(verified.problems, [
      'clicky>=1.0 required by legacy-dpm 1.0.0 is not installed',
      'zhmcclient 0.9.0 does not satisfy zhmcclient>=0.14 required by legacy-dpm 1.0.0',
      'legacy_dpm/__init__.py of legacy-dpm 1.0.0 is missing',
      "legacy-driver 2.0.0 is installed but 'import legacy_dpm' fails: ImportError: No module named legacy_dpm"
    ])
  })
})

describe('recordEntries', () => {
  it('reads quoted paths, empty hashes and sizes', { timeout: 5_000 }, () => {
    const text = 'a/b.py,sha256=abc,12\n"odd, name.py",sha256=x,3\n"say ""hi"".txt",,\na/__pycache__/b.cpython-311.pyc,,\n\n'
    assert.deepEqual(recordEntries(text, true), [
      { path: 'a/b.py', hash: 'sha256=abc', size: 12 },
      { path: 'odd, name.py', hash: 'sha256=x', size: 3 },
      { path: 'say "hi".txt', hash: undefined, size: undefined },
      { path: 'a/__pycache__/b.cpython-311.pyc', hash: undefined, size: undefined }
    ])
    assert.deepEqual(recordEntries('../legacy/__init__.py\nPKG-INFO\n', false), [{ path: '../legacy/__init__.py' }, { path: 'PKG-INFO' }])
  })
})

describe('checkListedFiles, on files held in memory', () => {
  const content = Buffer.from('print("nova")\n')
  const base = '/venv/lib/python3.11/site-packages'
  const files = (held: Record<string, Buffer>): Files => ({
    regularFile: file => (held[file] ? { size: held[file].length } : undefined),
    read: file => held[file]
  })
  const check = (row: string) => {
    const record = `${base}/nova_dpm-3.0.0.dist-info/RECORD`
    const held = { [`${base}/nova_dpm/__init__.py`]: content, [record]: Buffer.from(`${row}\nnova_dpm-3.0.0.dist-info/RECORD,,\n`) }
    return checkListedFiles('nova-dpm 3.0.0', { file: record, base, hashed: true }, files(held))
  }
  const padded = createHash('sha256').update(content).digest('base64url') + '='

  it("a digest written with base64's padding is the same digest (a RECORD may pad it; pip does not)", { timeout: 5_000 }, () => {
    assert.deepEqual(check(`nova_dpm/__init__.py,sha256=${padded},${content.length}`).problems, [])
    assert.deepEqual(check(`nova_dpm/__init__.py,sha256=${padded.slice(0, -1)},${content.length}`).problems, [])
  })

  it('a digest that differs is named, padded or not', { timeout: 5_000 }, () => {
    const other = createHash('sha256').update('other').digest('base64url')
    for (const digest of [other, `${other}=`]) {
      assert.deepEqual(check(`nova_dpm/__init__.py,sha256=${digest},${content.length}`).problems, [
        'nova_dpm/__init__.py of nova-dpm 3.0.0 was changed after it was installed (its sha256 differs from the record)'
      ])
    }
  })
})
