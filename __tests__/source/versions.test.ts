import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { inRange, majorSpecifier, matchesNothing, meetsMajor, parseVersionInput } from '../../src/source/versions.js'

describe('the version input, in PEP 440', () => {
  const cases: [string, string][] = [
    ['1.x', '>=1.0.0,<2.0.0'],
    ['^2.0.1', '>=2.0.1,<3.0.0'],
    ['~3.0', '>=3.0.0,<3.1.0'],
    ['>=3.0.0 <3.1.0', '>=3.0.0,<3.1.0'],
    ['3.0.0', '==3.0.0'],
    ['*', '>=0'],
    // PEP 440 operators are read the PEP 440 way: ~=2.0 is >=2.0,<3, not semver's ~2.0.
    ['~=2.0', '~=2.0'],
    ['>=3, <4', '>=3,<4'],
    ['==4.0.0.dev1', '==4.0.0.dev1'],
    // A semver pre-release becomes PEP 440's spelling.
    ['4.0.0-dev1', '==4.0.0.dev1'],
    ['4.0.0-rc.1', '==4.0.0rc1']
  ]
  for (const [input, specifier] of cases) {
    it(`${input} -> '${specifier}'`, () => assert.equal(parseVersionInput(input), specifier))
  }

  it('~=2.0 admits 2.9 and not 3.0', () => {
    assert.equal(inRange('2.9.0', parseVersionInput('~=2.0')), true)
    assert.equal(inRange('3.0.0', parseVersionInput('~=2.0')), false)
  })

  it('a pre-release asked for and installed is in range', () => {
    assert.equal(inRange('4.0.0.dev1', parseVersionInput('4.0.0-dev1')), true)
  })

  it('orders dev, pre and post releases as PEP 440 does', () => {
    assert.equal(inRange('3.0.1.dev3', majorSpecifier(3)), true)
    assert.equal(inRange('2.0.1.post1', majorSpecifier(2)), true)
    assert.equal(inRange('4.0.0.dev7', majorSpecifier(3)), false, '4.0.0.dev7 comes before 4.0.0 but after every 3.x')
    assert.equal(inRange('2.0.1.post1', '<=2.0.1'), false)
    assert.equal(inRange('1.0.0', majorSpecifier(1)), true)
    assert.equal(inRange('2.0.0', majorSpecifier(1)), false)
  })

  it('refuses || (PEP 440 has no "or") and text that is neither', () => {
    assert.throws(() => parseVersionInput('1.x || 3.x'), /uses '\|\|'/)
    assert.throws(() => parseVersionInput('one point oh'), /Input 'version' is neither a PEP 440 specifier nor a semver range: 'one point oh'/)
    assert.throws(() => parseVersionInput('3.x\n::warning::x'), (e: Error) => !e.message.includes('\n'))
  })

  it('knows when a specifier matches nothing, and when it meets a major', () => {
    assert.equal(matchesNothing('>=3,<2'), true)
    assert.equal(matchesNothing('>=3.0.0,<3.1.0'), false)
    assert.equal(meetsMajor('>=9.0.0,<10.0.0', 3), false)
    assert.equal(meetsMajor('~=2.0', 2), true)
    assert.equal(meetsMajor('==2.0.1.post1', 2), true)
  })
})
