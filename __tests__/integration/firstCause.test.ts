/**
 * The first cause is named, not the last symptom (issue 18): a wheel whose
 * RECORD lies about one of its files, installed by the action's own pip run,
 * is a distribution broken as published, not a file "changed after it was
 * installed". Every pip here (18.1, 19.2.3, 23.0.1, 24.2) copies the
 * wheel's RECORD rows as they are, so verification finds the lie right after
 * the install; the same files found installed before the action ran keep
 * the old wording.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { makeVenvWith } from '../fixtures/pythons.js'
import { cleanEnv, makeVenv, messages, runAction } from '../fixtures/runAction.js'
import { useWorld } from '../fixtures/suite.js'

/** Not execFileSync: the world's server must keep answering pip. */
const execAsync = promisify(execFile)

const BROKEN_AS_PUBLISHED = /nova-dpm 9\.9\.[56] is broken as published: pip installed its files in this run as its wheel holds them, and they differ from the RECORD that same wheel declares\. Report it to its publisher; meanwhile ask for another version/

describe("a wheel whose RECORD lies: the distribution's own fault", () => {
  const world = useWorld({
    extraWheels: [
      { name: 'nova-dpm', version: '9.9.5', misrecorded: { 'nova_dpm/__init__.py': 'sha256' } },
      { name: 'nova-dpm', version: '9.9.6', misrecorded: { 'nova_dpm/__init__.py': 'size' } }
    ]
  })

  const inputs = (python: string, version: string) => ({ release: 'queens', python, version, constraints: 'none', cache: 'false', 'index-url': world.indexUrl })

  async function failure(python: string, version: string): Promise<string> {
    const run = await runAction(inputs(python, version))
    assert.equal(run.code, 1, run.stdout)
    const errors = messages(run, 'error')
    assert.equal(errors.length, 1, run.stdout)
    return errors[0]
  }

  const cases: [string, () => string, string, RegExp][] = [
    ['pip 18.1 (Python 3.6), a wrong size', () => makeVenvWith('3.6'), '9.9.6', /nova_dpm\/__init__\.py of nova-dpm 9\.9\.6 does not match its wheel's RECORD \(\d+ bytes, not \d+\)/],
    ['pip 19.2.3 (Python 2.7), a wrong sha256', () => makeVenvWith('2.7'), '9.9.5', /nova_dpm\/__init__\.py of nova-dpm 9\.9\.5 does not match its wheel's RECORD \(its sha256 differs from the record\)/],
    ["pip 23.0.1 (Debian's Python 3.11), a wrong sha256", () => makeVenv(), '9.9.5', /nova_dpm\/__init__\.py of nova-dpm 9\.9\.5 does not match its wheel's RECORD \(its sha256 differs from the record\)/],
    ['pip 24.2 (Python 3.13), a wrong size', () => makeVenvWith('3.13'), '9.9.6', /nova_dpm\/__init__\.py of nova-dpm 9\.9\.6 does not match its wheel's RECORD \(\d+ bytes, not \d+\)/]
  ]
  for (const [what, venv, version, file] of cases) {
    it(`installed by this run's ${what}: named a wheel broken as published`, { timeout: 180_000 }, async () => {
      const error = await failure(venv(), version)
      assert.match(error, file)
      assert.match(error, BROKEN_AS_PUBLISHED)
      assert.doesNotMatch(error, /changed after it was installed/)
    })
  }

  it('found installed before the action ran: still a change after the install', { timeout: 180_000 }, async () => {
    const python = makeVenv()
    await execAsync(python, ['-m', 'pip', 'install', '-q', '--index-url', world.indexUrl, 'nova-dpm==9.9.5'], { env: cleanEnv(), timeout: 120_000 })
    const error = await failure(python, '9.9.5')
    assert.match(error, /nova_dpm\/__init__\.py of nova-dpm 9\.9\.5 was changed after it was installed \(its sha256 differs from the record\)/)
    assert.doesNotMatch(error, /broken as published|does not match its wheel's RECORD/)
  })
})
