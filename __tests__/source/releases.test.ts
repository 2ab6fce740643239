import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ActionError } from '../../src/errors.js'
import { closestName, findSeries, majorOf, newestOf, PACKAGES, releasedSeries, SERIES } from '../../src/source/releases.js'

describe('release table', () => {
  it('maps Ocata, Pike and Queens to majors 1, 2 and 3 for both drivers, and no other series', () => {
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

  it("holds each package's newest release: networking-dpm 2.0.1 on Pike", () => {
    assert.equal(newestOf('networking-dpm', 'pike'), '2.0.1')
    assert.equal(newestOf('nova-dpm', 'pike'), '2.0.0')
  })

  it('holds the newest Nova and Neutron of each series (openstack/releases), majors counting up by one from Ocata', () => {
    assert.deepEqual(
      ['ocata', 'pike', 'queens'].map(s => [newestOf('nova', s), newestOf('neutron', s)]),
      [
        ['15.1.5', '10.0.7'],
        ['16.1.8', '11.0.8'],
        ['17.0.13', '12.1.1']
      ]
    )
    for (const [pkg, first] of [['nova', 15], ['neutron', 10]] as const) {
      const released = SERIES.filter(s => majorOf(pkg, s.name) !== undefined)
      assert.deepEqual(
        released.map(s => majorOf(pkg, s.name)),
        released.map((_, i) => first + i)
      )
      assert.equal(released[0].name, 'ocata')
      assert.equal(released.at(-1)?.name, '2026.1')
    }
    assert.deepEqual(
      releasedSeries(['nova-dpm', 'nova']).map(s => s.name),
      ['ocata', 'pike', 'queens']
    )
    assert.equal(releasedSeries(['nova']).length, 19)
  })

  it('names each package home: the drivers under x/, the services under openstack/', () => {
    assert.equal(PACKAGES['nova-dpm'].home, 'https://opendev.org/x/{package}')
    assert.equal(PACKAGES.neutron.home, 'https://opendev.org/openstack/{package}')
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
