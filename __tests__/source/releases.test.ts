import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ActionError } from '../../src/errors.js'
import { closestName, findSeries, majorOf, PACKAGES, releasedSeries, SERIES } from '../../src/source/releases.js'

describe('release table', () => {
  it('maps Ocata, Pike and Queens to majors 1, 2 and 3 for both packages, and no other series', () => {
    for (const pkg of ['nova-dpm', 'networking-dpm'] as const) {
      assert.deepEqual(
        SERIES.filter(s => majorOf(pkg, s.name) !== undefined).map(s => [s.name, majorOf(pkg, s.name)]),
        [
          ['ocata', 1],
          ['pike', 2],
          ['queens', 3]
        ]
      )
    }
    assert.deepEqual(
      releasedSeries().map(s => s.name),
      ['ocata', 'pike', 'queens']
    )
  })

  it("holds each package's own releases: networking-dpm 2.0.1 on Pike", () => {
    assert.deepEqual(PACKAGES['networking-dpm'].releases.pike, ['2.0.0', '2.0.1'])
    assert.deepEqual(PACKAGES['nova-dpm'].releases.pike, ['2.0.0'])
  })

  it('lists series in release order with unique names, through 2027.1 indri', () => {
    const names = SERIES.map(s => s.name)
    assert.equal(new Set(names).size, names.length)
    assert.ok(names.indexOf('ocata') < names.indexOf('pike'))
    assert.ok(names.indexOf('zed') < names.indexOf('2023.1'))
    assert.deepEqual(names.slice(-2), ['2026.2', '2027.1'])
  })

  it('finds series case-insensitively, by code name, and master', () => {
    assert.equal(findSeries('Queens').name, 'queens')
    assert.equal(findSeries(' OCATA ').name, 'ocata')
    assert.equal(findSeries('antelope').name, '2023.1')
    assert.equal(findSeries('indri').name, '2027.1')
    assert.equal(findSeries('2027.1').codename, 'indri')
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
