/**
 * CPython 3.13.0, the newest (see eras.shared.ts): a new venv has no
 * setuptools, so no pkg_resources, which nova-dpm's pbr imports.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { makeVenvWith } from '../fixtures/pythons.js'
import { installed, py } from '../fixtures/runAction.js'
import { assertNoVenv, assertRelease, assertStable, PKG_RESOURCES_ADDED, releaseRun, stableRun, useEra, venvCacheRuns, venvTrueRun } from './eras.shared.js'

describe('Python 3.13.0 through dist/index.js', () => {
  const era = useEra()

  it('a fresh venv used directly: ocata with setuptools<82 alongside, then stable/queens', { timeout: 150_000 }, async () => {
    const python = makeVenvWith('3.13')
    assert.equal(installed(python).setuptools, undefined)
    const ocata = await releaseRun(era, 'ocata', python)
    assertRelease(era, ocata, python, 'ocata', '3.13')
    assertNoVenv(ocata)
    assert.match(ocata.stdout, PKG_RESOURCES_ADDED)
    assert.equal(installed(python).setuptools, '67.6.1')
    assert.equal(py(python, 'import nova_dpm; print(nova_dpm.__version__)'), '1.0.1')

    const queens = await stableRun(era, 'queens', python)
    assertStable(era, queens, python, 'queens')
    assert.doesNotMatch(queens.stdout, PKG_RESOURCES_ADDED)
    assert.doesNotMatch(queens.stdout, /pip install .*--upgrade/)
  })

  it('venv: true: setuptools<82 comes into the new venv too; pike at its real pins', { timeout: 150_000 }, async () => {
    const { run, python } = await venvTrueRun(era, '3.13', 'pike')
    assert.match(run.stdout, PKG_RESOURCES_ADDED)
    assert.equal(installed(python).setuptools, '67.6.1')
  })

  it('the venv cache: queens cold, saved; then a warm hit with no pip', { timeout: 180_000 }, async () => {
    const { cold, warm, python } = await venvCacheRuns(era, '3.13', 'queens')
    assert.match(cold.stdout, PKG_RESOURCES_ADDED)
    // The cached venv carries that setuptools: the hit needs nothing added.
    assert.doesNotMatch(warm.stdout, PKG_RESOURCES_ADDED)
    assert.equal(installed(python).setuptools, '67.6.1')
  })
})
