import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeLeftovers, needsUpgrade, pipInstallArgs } from '../../src/python/install.js'

describe('the pip command and what a failed one left', () => {
  it('passes each value as one argument, the requirements last', () => {
    assert.deepEqual(
      pipInstallArgs({ requirements: ['nova-dpm>=1.0.0,<2.0.0', '-e', '/w/proj'], constraintsFile: '/t/uc.txt', indexUrl: 'https://m/simple', networkArgs: ['--timeout', '5'], logFile: '/t/pip.log' }),
      ['install', '--no-input', '--log', '/t/pip.log', '--constraint', '/t/uc.txt', '--index-url', 'https://m/simple', '--timeout', '5', 'nova-dpm>=1.0.0,<2.0.0', '-e', '/w/proj']
    )
    assert.deepEqual(pipInstallArgs({ requirements: ['x'], networkArgs: [] }), ['install', '--no-input', 'x'])
  })

  it('says what a failed pip run left behind', () => {
    const before = { pip: '23.2.1', zhmcclient: '0.9.0', old: '1.0' }
    const after = { pip: '23.2.1', zhmcclient: '1.0.0', 'os-dpm': '2.0.0' }
    assert.equal(
      describeLeftovers(before, after, ['nova-dpm']),
      'pip installed or changed os-dpm 2.0.0, zhmcclient 0.9.0 -> 1.0.0 before it stopped; removed old; nova-dpm is not installed. Re-running the step after fixing the cause completes the install.'
    )
    assert.match(describeLeftovers({}, { x: '1' }, ['nova-dpm', 'networking-dpm']), /nova-dpm, networking-dpm are not installed/)
    assert.equal(describeLeftovers(before, before, ['nova-dpm']), 'pip changed nothing; the environment is as it was.')
  })

  it('asks old pip to upgrade projects given as git URLs or paths, which its resolver would keep', () => {
    assert.equal(needsUpgrade('19.2.3', 2, ['git+file:///r@abc#egg=nova-dpm']), true)
    assert.equal(needsUpgrade('18.1', 3, ['-e', '/p']), true)
    assert.equal(needsUpgrade('20.3.4', 2, ['/abs/proj']), true, 'every pip on Python 2 keeps the legacy resolver')
    assert.equal(needsUpgrade('20.3', 3, ['git+https://x@abc#egg=n']), false)
    assert.equal(needsUpgrade('19.2.3', 2, ['nova-dpm>=1.0.0,<2.0.0']), false)
  })
})
