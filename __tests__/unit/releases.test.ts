import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ActionError } from '../../src/errors.js'
import { closestName, findSeries, releasedSeries, SERIES } from '../../src/releases.js'

describe('release table', () => {
  it('maps Ocata, Pike and Queens to majors 1, 2 and 3, and no other series', () => {
    assert.deepEqual(
      releasedSeries().map(s => [s.name, s.major]),
      [
        ['ocata', 1],
        ['pike', 2],
        ['queens', 3]
      ]
    )
  })

  it('lists series in release order with unique names', () => {
    const names = SERIES.map(s => s.name)
    assert.equal(new Set(names).size, names.length)
    assert.ok(names.indexOf('ocata') < names.indexOf('pike'))
    assert.ok(names.indexOf('zed') < names.indexOf('2023.1'))
    assert.equal(names.at(-1), '2026.2')
  })

  it('finds series case-insensitively, by code name, and master', () => {
    assert.equal(findSeries('Queens').name, 'queens')
    assert.equal(findSeries(' OCATA ').major, 1)
    assert.equal(findSeries('antelope').name, '2023.1')
    assert.equal(findSeries('master').name, 'master')
  })

  it('suggests the closest series for a typo', () => {
    assert.throws(() => findSeries('qeens'), (e: Error) => e instanceof ActionError && /unknown OpenStack series 'qeens'.*Did you mean 'queens'/.test(e.message))
    assert.throws(() => findSeries('pkie'), /Did you mean 'pike'/)
  })

  it('does not suggest anything for a name far from every series', () => {
    assert.throws(() => findSeries('kubernetes-1.29'), (e: Error) => !/Did you mean/.test(e.message) && /'ocata', 'pike', 'queens'/.test(e.message))
    assert.equal(closestName('zzzzzzzz', ['ocata', 'pike']), undefined)
  })
})
