/**
 * CPython 3.7.16 (see eras.shared.ts): pip 22.0 with the new resolver,
 * setuptools 47 with a working pkg_resources.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { makeVenvWith } from '../fixtures/pythons.js'
import { installed, messages } from '../fixtures/runAction.js'
import { assertNoVenv, assertRelease, assertStable, PKG_RESOURCES_ADDED, releaseRun, stableRun, useEra, venvCacheRuns, venvTrueRun } from './eras.shared.js'

describe('Python 3.7.16 through dist/index.js', () => {
  const era = useEra()

  it('a venv used directly: ocata at its real pins, then stable/ocata from the -eol tag', { timeout: 150_000 }, async () => {
    const python = makeVenvWith('3.7')
    const setuptools = installed(python).setuptools
    const ocata = await releaseRun(era, 'ocata', python)
    assertRelease(era, ocata, python, 'ocata', '3.7')
    assertNoVenv(ocata)
    // setuptools 47's pkg_resources works: nothing is added.
    assert.doesNotMatch(ocata.stdout, PKG_RESOURCES_ADDED)
    assert.doesNotMatch(ocata.stdout, /setuptools<82/)
    assert.equal(installed(python).setuptools, setuptools)

    const eol = await stableRun(era, 'ocata', python)
    assertStable(era, eol, python, 'ocata')
    assert.match(messages(eol, 'notice').join('\n'), /stable\/ocata no longer exists .*installing the ocata-eol tag/)
    // The new resolver replaces the release by itself.
    assert.doesNotMatch(eol.stdout, /pip install .*--upgrade/)
  })

  it('venv: true makes a venv with -m venv and exports it: pike at its real pins', { timeout: 150_000 }, async () => {
    const { run } = await venvTrueRun(era, '3.7', 'pike')
    assert.match(run.stdout, /\[command\]\S+\/3\.7\.16\/bin\/python -E -m venv /)
  })

  it('the venv cache: queens cold, saved; then a warm hit with no pip', { timeout: 180_000 }, async () => {
    await venvCacheRuns(era, '3.7', 'queens')
  })
})
