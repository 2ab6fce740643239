/**
 * CPython 3.9.18 (see eras.shared.ts): the Python of the README's basic and
 * project-under-test examples, the newest that Queens' constraints still fit
 * (requests 2.18.4 fails from 3.10 on), so no untested-Python warning.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { makeVenvWith } from '../fixtures/pythons.js'
import { messages } from '../fixtures/runAction.js'
import { assertNoVenv, assertRelease, assertStable, releaseRun, stableRun, useEra, venvCacheRuns, venvTrueRun } from './eras.shared.js'

describe('Python 3.9.18 through dist/index.js', () => {
  const era = useEra()

  it('a venv used directly: queens at its real pins, then stable/pike', { timeout: 150_000 }, async () => {
    const python = makeVenvWith('3.9')
    const queens = await releaseRun(era, 'queens', python)
    assertRelease(era, queens, python, 'queens', '3.9')
    assertNoVenv(queens)
    assert.deepEqual(messages(queens, 'warning'), [])

    const pike = await stableRun(era, 'pike', python)
    assertStable(era, pike, python, 'pike')
  })

  it('venv: true makes a venv with -m venv and exports it: ocata at its real pins', { timeout: 150_000 }, async () => {
    const { run } = await venvTrueRun(era, '3.9', 'ocata')
    assert.match(run.stdout, /\[command\]\S+\/3\.9\.18\/bin\/python -E -m venv /)
  })

  it('the venv cache: queens cold, saved; then a warm hit with no pip', { timeout: 180_000 }, async () => {
    await venvCacheRuns(era, '3.9', 'queens')
  })
})
