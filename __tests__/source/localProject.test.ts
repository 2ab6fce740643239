import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ActionError } from '../../src/errors.js'
import { localProjectName } from '../../src/source/localProject.js'

let root: string

/** A project directory named unlike the project, with these files. */
function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(root, 'checkout-'))
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content)
  return dir
}

/** The callback the action runs `setup.py --name` with; records that it was asked. */
function setupPyName(name: string) {
  const asked: string[] = []
  return { asked, run: async (dir: string) => (asked.push(dir), name) }
}

const NEVER = async (dir: string): Promise<string> => assert.fail(`setup.py was asked for the name of ${dir}`)

async function refusal(dir: string, callback = NEVER): Promise<string> {
  await assert.rejects(localProjectName(dir, callback), ActionError)
  try {
    await localProjectName(dir, callback)
  } catch (error) {
    assert.doesNotMatch((error as Error).message, /[\r\n]/)
    return (error as Error).message
  }
  assert.fail('unreachable')
}

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'local-project-'))
})
after(() => fs.rmSync(root, { recursive: true, force: true }))

describe('localProjectName', { timeout: 10_000 }, () => {
  test('pyproject.toml [project] name wins, whatever the folder is called', async () => {
    const dir = project({
      'pyproject.toml': '[build-system]\nrequires = ["setuptools>=61"]\n\n[project]\nname = "nova-dpm"\nversion = "4.0.0"\ndynamic = ["dependencies"]\n',
      'setup.cfg': '[metadata]\nname = something-else\n'
    })
    assert.equal(await localProjectName(dir, NEVER), 'nova-dpm')
  })

  test("Poetry's [tool.poetry] name", async () => {
    assert.equal(await localProjectName(project({ 'pyproject.toml': '[tool.poetry]\nname = "os-dpm"\nversion = "1.0"\n' }), NEVER), 'os-dpm')
  })

  test('setup.cfg [metadata] name when pyproject.toml has no [project] (pbr, setuptools)', async () => {
    const dir = project({
      'pyproject.toml': '[build-system]\nrequires = ["pbr>=2.0.0", "setuptools"]\nbuild-backend = "pbr.build"\n',
      'setup.cfg':
        '# pbr\n[global]\nname = not-this\n\n[metadata]\n; the distribution\nsummary = The DPM driver\nName: networking-dpm\n' +
        'description_file =\n    README.rst\n',
      'setup.py': 'import setuptools\nsetuptools.setup(setup_requires=["pbr"], pbr=True)\n'
    })
    assert.equal(await localProjectName(dir, NEVER), 'networking-dpm')
  })

  test('setup.cfg alone, with CRLF line ends', async () => {
    assert.equal(await localProjectName(project({ 'setup.cfg': '[metadata]\r\nname = zhmcclient\r\n', 'setup.py': '' }), NEVER), 'zhmcclient')
  })

  test('setup.py only: the callback names it, and is asked about that directory', async () => {
    const dir = project({ 'setup.py': 'from setuptools import setup\nsetup(name="nova-dpm")\n' })
    const callback = setupPyName('nova-dpm\n')
    assert.equal(await localProjectName(dir, callback.run), 'nova-dpm')
    assert.deepEqual(callback.asked, [dir])
  })

  test('setup.cfg without a name falls through to setup.py', async () => {
    const dir = project({ 'setup.cfg': '[metadata]\nversion = 1.0\n[options]\nname = not-metadata\n', 'setup.py': '' })
    const callback = setupPyName('nova-dpm')
    assert.equal(await localProjectName(dir, callback.run), 'nova-dpm')
    assert.equal(callback.asked.length, 1)
  })

  test('wheels and source archives are named by their file names', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'dist-'))
    const file = (name: string) => {
      fs.writeFileSync(path.join(dir, name), 'x')
      return path.join(dir, name)
    }
    assert.equal(await localProjectName(file('nova_dpm-3.0.0-py2.py3-none-any.whl'), NEVER), 'nova_dpm')
    assert.equal(await localProjectName(file('nova-dpm-3.0.0.tar.gz'), NEVER), 'nova-dpm')
    assert.match(await refusal(file('notes.txt')), /is a file but not a wheel or source archive/)
  })

  test('a missing directory is named', async () => {
    const missing = path.join(root, 'no-such-dir')
    assert.match(await refusal(missing), new RegExp(`^The local project '${missing}' does not exist\\. Check the path in 'requirements'`))
  })

  test('a directory that is no project is named', async () => {
    const dir = project({ 'README.rst': 'Retired.\n' })
    assert.match(await refusal(dir), new RegExp(`'${dir}' is not a Python project: it has no pyproject.toml, setup.cfg or setup.py`))
  })

  test('[project] without a name is an error, not a fall-through', async () => {
    const dir = project({ 'pyproject.toml': '[project]\nversion = "1.0"\ndynamic = ["name"]\n', 'setup.cfg': '[metadata]\nname = x\n' })
    assert.match(await refusal(dir), /has a \[project\] table without a name \(PEP 621 requires it; it cannot be dynamic\)/)
  })

  test('pyproject.toml without a name, and nothing else to ask', async () => {
    const dir = project({ 'pyproject.toml': '[build-system]\nrequires = ["flit_core"]\n' })
    assert.match(await refusal(dir), /without a \[project\] name, no setup\.cfg \[metadata\] name and no setup\.py/)
  })

  test('invalid TOML names the file, line and column', async () => {
    const dir = project({ 'pyproject.toml': '[project]\nname = "nova-dpm\n' })
    assert.match(await refusal(dir), new RegExp(`'${dir}/pyproject\\.toml' is not valid TOML \\(line 2, column \\d+\\): `))
  })

  test('a name that is not a PEP 508 name is refused, from any source', async () => {
    assert.match(await refusal(project({ 'pyproject.toml': '[project]\nname = "-nova dpm"\n' })), /is '-nova dpm', which is not a valid project name/)
    assert.match(await refusal(project({ 'setup.py': '' }), setupPyName('warning: something\nnova-dpm').run), /not a valid project name/)
  })

  test('pyproject.toml that is not a regular file is refused by the bounded reader', async () => {
    const dir = project({})
    fs.mkdirSync(path.join(dir, 'pyproject.toml'))
    assert.match(await refusal(dir), /is a directory, not a regular file/)
  })
})
