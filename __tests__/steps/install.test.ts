import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { pipWouldChangeNothing } from '../../src/steps/install.js'

describe('pipWouldChangeNothing: when the action may leave pip out', () => {
  const release = { sources: [{ name: 'nova-dpm', requirement: 'nova-dpm>=3.0.0,<4.0.0', commit: '' }], extraLines: [], projects: { names: [], hash: '', editable: [] } }
  const good = { problems: [], unmet: [] }
  const fit = { hasPkgResources: true }

  it('a release install that is there, whole, within the constraints', () => {
    assert.equal(pipWouldChangeNothing(release, fit, good, {}), true)
  })

  it('not when anything is wrong or would move', () => {
    assert.equal(pipWouldChangeNothing(release, fit, { problems: ['nova-dpm is not installed for /py'], unmet: [] }, {}), false)
    assert.equal(pipWouldChangeNothing(release, fit, { problems: [], unmet: ['zhmcclient 0.18.0 (constraint zhmcclient===0.14.0)'] }, {}), false)
    assert.equal(pipWouldChangeNothing(release, { hasPkgResources: false }, good, {}), false, 'setuptools<82 must be installed')
  })

  it('not for what pip may rebuild: a git commit, requirements lines, a local project', () => {
    const git = { ...release, sources: [{ name: 'nova-dpm', requirement: 'nova-dpm @ git+https://opendev.org/x/nova-dpm@0123abc', commit: '0123abc' }] }
    assert.equal(pipWouldChangeNothing(git, fit, good, {}), false)
    assert.equal(pipWouldChangeNothing({ ...release, extraLines: ['oslo.config'] }, fit, good, {}), false)
    assert.equal(pipWouldChangeNothing({ ...release, projects: { names: ['my-driver'], hash: 'x', editable: [] } }, fit, good, {}), false)
  })

  it("not when the user's pip settings make pip install what is there; a false value does not", () => {
    for (const name of ['PIP_UPGRADE', 'PIP_FORCE_REINSTALL', 'PIP_IGNORE_INSTALLED']) {
      for (const value of ['1', 'true', 'YES', 'on']) assert.equal(pipWouldChangeNothing(release, fit, good, { [name]: value }), false, `${name}=${value}`)
      for (const value of ['0', 'false', 'No', 'off', '']) assert.equal(pipWouldChangeNothing(release, fit, good, { [name]: value }), true, `${name}=${value}`)
    }
  })
})
