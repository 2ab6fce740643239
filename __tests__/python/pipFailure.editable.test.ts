/**
 * An editable install of a project that has pyproject.toml and no setup.py,
 * with a pip that predates PEP 660: pip 18.1 (Python 3.6) says the directory
 * "is not installable", which must not read as "not a Python project".
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { explainPipFailure } from '../../src/python/pipFailure/index.js'
import { makeVenvWith } from '../fixtures/pythons.js'
import { cleanEnv, tempDir } from '../fixtures/runAction.js'

const run = promisify(execFile)

describe('pip 18.1 and -e of a pyproject.toml-only project', () => {
  it('is named as a pip too old for editable pyproject projects, not as a retired branch', { timeout: 120_000 }, async () => {
    const python = makeVenvWith('3.6')
    const project = path.join(tempDir('nova-dpm-pyproject-only-'), 'checkout')
    fs.mkdirSync(path.join(project, 'my_driver'), { recursive: true })
    fs.writeFileSync(path.join(project, 'my_driver', '__init__.py'), '')
    fs.writeFileSync(path.join(project, 'pyproject.toml'), '[build-system]\nrequires = ["dpm-fixture-backend"]\nbuild-backend = "dpm_fixture_backend"\n')
    const requirements = path.join(project, '..', 'requirements.txt')
    fs.writeFileSync(requirements, `-e ${project}\n`)
    const pip = await run(python, ['-m', 'pip', 'install', '--no-index', '-r', requirements], { env: cleanEnv() }).then(
      () => assert.fail('pip 18.1 installed a pyproject-only project editable'),
      (error: { stdout: string; stderr: string }) => `${error.stdout}\n${error.stderr}`
    )
    const context = { requirements: [`-e ${project}`], pythonVersion: '3.6.15', pipVersion: '18.1' }
    const failure = explainPipFailure(pip, context)
    assert.equal(failure.kind, 'pip-too-old', failure.message)
    assert.match(failure.message, /^pip 18\.1 cannot install ".*checkout" in editable mode: the project has a pyproject\.toml and no setup\.py/)
    assert.doesNotMatch(failure.message, /retired/)
    // Without -e, the same words from pip about a directory keep their meaning.
    assert.equal(explainPipFailure(pip, { ...context, requirements: [project] }).kind, 'not-a-project')
  })
})
