import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { majorRange, parseRange, toPep440, versionSatisfies } from '../../src/versionRange.js'

describe('semver ranges as PEP 440 specifiers', () => {
  const cases: [string, string][] = [
    ['1.x', '>=1.0.0,<2.0.0'],
    ['^2.0.1', '>=2.0.1,<3.0.0'],
    ['~3.0', '>=3.0.0,<3.1.0'],
    ['>=3.0.0 <3.1.0', '>=3.0.0,<3.1.0'],
    ['3.0.0', '==3.0.0'],
    ['*', '']
  ]
  for (const [range, pep440] of cases) {
    it(`${range} -> '${pep440}'`, () => assert.equal(toPep440(parseRange(range)), pep440))
  }

  it('writes the default range of a major', () => assert.equal(toPep440(majorRange(1)), '>=1.0.0,<2.0.0'))

  it('refuses ranges with || (PEP 440 has no "or")', () => {
    assert.throws(() => toPep440(parseRange('1.x || 3.x')), /uses '\|\|'/)
  })

  it('refuses invalid ranges naming the input', () => {
    assert.throws(() => parseRange('one point oh'), /Input 'version' is not a valid semver range: 'one point oh'/)
  })

  it('checks installed Python versions, including non-semver ones', () => {
    assert.equal(versionSatisfies('1.0.1', majorRange(1)), true)
    assert.equal(versionSatisfies('2.0.0', majorRange(1)), false)
    assert.equal(versionSatisfies('3.0.1.dev4', majorRange(3)), true)
    assert.equal(versionSatisfies('not a version', majorRange(3)), false)
  })
})
