/**
 * CPython 3.11.7, a current Python (see eras.shared.ts): outside the era's
 * runtimes, so warned about with the container recipe.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { makeVenvWith } from '../fixtures/pythons.js'
import { installed, py } from '../fixtures/runAction.js'
import { assertNoVenv, assertRelease, assertStable, PKG_RESOURCES_ADDED, pip, releaseRun, stableRun, useEra, venvCacheRuns, venvTrueRun } from './eras.shared.js'

describe('Python 3.11.7 through dist/index.js', () => {
  const era = useEra()

  it('a venv whose setuptools was removed, used directly: ocata with setuptools<82 alongside, then stable/pike', { timeout: 150_000 }, async () => {
    const python = makeVenvWith('3.11')
    await pip(python, 'uninstall', '-q', '-y', 'setuptools')
    assert.equal(installed(python).setuptools, undefined)
    const ocata = await releaseRun(era, 'ocata', python)
    assertRelease(era, ocata, python, 'ocata', '3.11')
    assertNoVenv(ocata)
    assert.match(ocata.stdout, PKG_RESOURCES_ADDED)
    assert.match(ocata.stdout, /\[command\]\S+ -E -s -m pip install .* nova-dpm>=1\.0\.0,<2\.0\.0 setuptools<82\n/)
    // The newest setuptools below 82 on the index, and the pkg_resources nova_dpm imports comes from it.
    assert.equal(installed(python).setuptools, '67.6.1')
    assert.match(py(python, 'import nova_dpm, pkg_resources; print(pkg_resources.__file__)'), /\/site-packages\/pkg_resources\/__init__\.py$/)

    const pike = await stableRun(era, 'pike', python)
    assertStable(era, pike, python, 'pike')
    assert.doesNotMatch(pike.stdout, PKG_RESOURCES_ADDED)
  })

  it('venv: true (its setuptools 65.5 works, nothing added): pike at its real pins', { timeout: 150_000 }, async () => {
    const { run, python } = await venvTrueRun(era, '3.11', 'pike')
    assert.doesNotMatch(run.stdout, PKG_RESOURCES_ADDED)
    assert.equal(installed(python).setuptools, '65.5.0')
  })

  it('the venv cache: queens cold, saved; then a warm hit with no pip', { timeout: 180_000 }, async () => {
    await venvCacheRuns(era, '3.11', 'queens')
  })
})
