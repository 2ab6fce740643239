/**
 * `release: list`, as a matrix's set-up job uses it: the `releases` output
 * and nothing else. The interpreter named does not exist and the constraints
 * host is unreachable, so any probe or download would fail the step.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { messages, runAction } from '../fixtures/runAction.js'

describe('release: list', () => {
  it('sets the releases output for the packages named, with no interpreter and no download', { timeout: 30_000 }, async () => {
    const inputs = { python: '/nonexistent/python', constraints: 'https://192.0.2.1/unreachable', cache: 'venv' }
    const drivers = await runAction({ ...inputs, release: 'list', package: 'nova-dpm networking-dpm' })
    assert.equal(drivers.code, 0, drivers.stdout)
    assert.deepEqual(JSON.parse(drivers.outputs.releases), ['ocata', 'pike', 'queens'])
    assert.deepEqual(drivers.annotations, [])
    assert.match(drivers.stdout, /Series with a release of nova-dpm, networking-dpm: ocata, pike, queens\. Nothing else done/)

    const nova = await runAction({ release: 'List', package: 'nova' })
    assert.equal(JSON.parse(nova.outputs.releases).length, 19)
    assert.equal(nova.outputs.version, undefined)
  })

  it('still refuses a package it does not know', { timeout: 30_000 }, async () => {
    const run = await runAction({ release: 'list', package: 'keystone' })
    assert.equal(run.code, 1)
    assert.match(messages(run, 'error')[0], /Input 'package' has an unknown value 'keystone'/)
  })
})
