import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseInputs } from '../../src/inputs.js'
import { describeLeftovers, explainPipFailure, pipInstallArgs } from '../../src/install.js'
import { makePlan } from '../../src/plan.js'

const plan = (inputs: Record<string, string>) => makePlan(parseInputs(name => inputs[name] ?? ''))

describe('pip command and failures', () => {
  it('passes each value as one argument, the requirement last', () => {
    assert.deepEqual(pipInstallArgs('nova-dpm>=1.0.0,<2.0.0', '/t/uc.txt', 'https://m/simple'), [
      'install',
      '--constraint',
      '/t/uc.txt',
      '--index-url',
      'https://m/simple',
      'nova-dpm>=1.0.0,<2.0.0'
    ])
    assert.deepEqual(pipInstallArgs('x', undefined, undefined), ['install', 'x'])
  })

  it('recognises a retired repository', () => {
    const out = "ERROR: file:///r does not appear to be a Python project: neither 'setup.py' nor 'pyproject.toml' found."
    assert.match(explainPipFailure(out, plan({ release: 'rocky', mode: 'stable' })), /retired at rocky's stable branch.*ocata, pike, queens/)
  })

  it('recognises missing build requirements', () => {
    const out = 'Installing build dependencies: finished with status \'error\'\nERROR: No matching distribution found for pbr>=2.0'
    assert.match(explainPipFailure(out, plan({ release: 'master' })), /could not install the build requirements of nova-dpm.*pbr>=2\.0/)
  })

  it('names the requirement when nothing matches', () => {
    const out = 'ERROR: Could not find a version that satisfies the requirement nova-dpm<2,>=1\nERROR: No matching distribution found for nova-dpm<2,>=1'
    assert.match(explainPipFailure(out, plan({ release: 'ocata' })), /no distribution for 'nova-dpm>=1\.0\.0,<2\.0\.0'/)
  })

  it('quotes the conflict of an impossible resolution', () => {
    const out = 'ERROR: Cannot install nova-dpm because these package versions have conflicting dependencies.\n\nThe conflict is caused by:\n    nova-dpm 3.0.0 depends on zhmcclient>=0.9.0\n    The user requested (constraint) zhmcclient===0.1\n\nTo fix this you could try to:\nERROR: ResolutionImpossible'
    assert.match(explainPipFailure(out, plan({ release: 'queens' })), /could not satisfy nova-dpm together with the constraints: The conflict is caused by: nova-dpm 3\.0\.0 depends on zhmcclient>=0\.9\.0 The user requested \(constraint\) zhmcclient===0\.1/)
  })

  it('recognises a git fetch failure, without blaming Python', () => {
    const out = [
      '  Cloning http://h/nova-dpm.git (to revision abc) to /tmp/pip-install',
      '  error: The requested URL returned error: 503',
      '  error: fetch failed.',
      '  error: subprocess-exited-with-error',
      '  note: This error originates from a subprocess, and is likely not a problem with pip.'
    ].join('\n')
    const message = explainPipFailure(out, plan({ release: 'queens', mode: 'stable' }), 'tested on 2.7')
    assert.match(message, /^pip could not fetch queens's stable branch of https:\/\/opendev\.org\/x\/nova-dpm from git: The requested URL returned error: 503 fetch failed\./)
    assert.doesNotMatch(message, /Likely cause|subprocess/)
  })

  it('blames an untested Python only where it is a likely cause', () => {
    const p = plan({ release: 'queens' })
    assert.match(explainPipFailure('ERROR: Failed building wheel for lxml', p, 'tested on 2.7'), /Likely cause: tested on 2\.7/)
    assert.doesNotMatch(explainPipFailure('ERROR: ResolutionImpossible', p, 'tested on 2.7'), /Likely cause/)
  })

  it('says what a failed pip run left behind', () => {
    const before = { pip: '23.2.1', zhmcclient: '0.9.0', old: '1.0' }
    const after = { pip: '23.2.1', zhmcclient: '1.0.0', 'os-dpm': '2.0.0' }
    assert.equal(
      describeLeftovers(before, after, 'nova-dpm'),
      'pip installed or changed os-dpm 2.0.0, zhmcclient 0.9.0 -> 1.0.0 before it stopped; removed old; nova-dpm is not installed. Re-running the step after fixing the cause completes the install.'
    )
    assert.equal(describeLeftovers(before, before, 'nova-dpm'), 'pip changed nothing; the environment is as it was.')
  })

  it('falls back to pip own last errors, without credentials', () => {
    assert.equal(explainPipFailure('ERROR: boom at https://u:p@h/x', plan({ release: 'queens' })), 'pip install failed: boom at https://***@h/x')
  })
})
