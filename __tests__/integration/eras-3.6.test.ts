/**
 * CPython 3.6.15 (see eras.shared.ts): its bundled pip 18.1 predates PEP 517
 * builds and the new resolver.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { makeVenvWith } from '../fixtures/pythons.js'
import { installed, messages } from '../fixtures/runAction.js'
import { assertNoVenv, assertRelease, assertStable, PKG_RESOURCES_ADDED, pip, releaseRun, stableRun, useEra, venvCacheRuns, venvTrueRun } from './eras.shared.js'

describe('Python 3.6.15 through dist/index.js', () => {
  const era = useEra()

  it('a venv with pip 18.1, used directly: ocata at its real pins; stable/pike from git fails as "pip too old" until that pip is 19.2.3', { timeout: 240_000 }, async () => {
    const python = makeVenvWith('3.6')
    assert.equal(installed(python).pip, '18.1')
    const setuptools = installed(python).setuptools
    const ocata = await releaseRun(era, 'ocata', python)
    assertRelease(era, ocata, python, 'ocata', '3.6')
    assertNoVenv(ocata)
    assert.doesNotMatch(ocata.stdout, PKG_RESOURCES_ADDED)
    assert.equal(installed(python).setuptools, setuptools)

    const before = installed(python)
    const tooOld = await stableRun(era, 'pike', python)
    assert.equal(tooOld.code, 1)
    const [error, ...more] = messages(tooOld, 'error')
    assert.deepEqual(more, [])
    assert.match(
      error,
      /^pip 18\.1 cannot install ".*nova-dpm.*": the project has a pyproject\.toml build backend and no setup\.py, and pip builds such projects \(PEP 517\) only from version 19 on;/
    )
    assert.match(error, /Upgrade pip in this Python \(3\.6\.15\) before this step, e\.g\. `python -m pip install "pip>=19,<21"`/)
    assert.match(error, /pip changed nothing; the environment is as it was\.$/)
    assert.deepEqual(installed(python), before)

    await pip(python, 'install', '-q', '--index-url', era.world.indexUrl, 'pip==19.2.3')
    assert.equal(installed(python).pip, '19.2.3')
    const pike = await stableRun(era, 'pike', python)
    assertStable(era, pike, python, 'pike')
    assertNoVenv(pike)
    // Still the legacy resolver: told to upgrade, or it keeps the release installed before.
    assert.match(pike.stdout, /\[command\]\S+ -E -s -m pip install .*--upgrade .*git\+file:/)
  })

  it('venv: true makes a venv with -m venv and exports it: pike at its real pins', { timeout: 150_000 }, async () => {
    const { run, python } = await venvTrueRun(era, '3.6', 'pike')
    assert.match(run.stdout, /\[command\]\S+\/3\.6\.15\/bin\/python -E -m venv /)
    assert.equal(installed(python).pip, '18.1')
  })

  it('the venv cache: queens cold, saved; then a warm hit with no pip', { timeout: 180_000 }, async () => {
    await venvCacheRuns(era, '3.6', 'queens')
  })
})
