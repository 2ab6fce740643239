import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { dropPackage, normalizeName, validateConstraints } from '../../src/constraints.js'

const REAL_SHAPE = `# comment
zhmcclient===0.18.0
oslo.config===5.2.0
enum34===1.1.6;python_version=='2.7'
python-novaclient===9.1.1 # trailing comment
Nova_DPM===3.0.0

`

describe('constraints files', () => {
  it('accepts the shape of upper-constraints.txt', () => assert.doesNotThrow(() => validateConstraints(REAL_SHAPE, 'x')))

  it('refuses an HTML page', () => {
    assert.throws(() => validateConstraints('<!DOCTYPE html><html></html>', 'https://h/x'), /at https:\/\/h\/x are an HTML page/)
  })

  it('reports unparsable lines with their numbers', () => {
    assert.throws(
      () => validateConstraints('a===1\nnot a constraint\nb===2\n<<x>>\n', 'f'),
      /2 line\(s\).*line 2: 'not a constraint'; line 4: '<<x>>'/
    )
  })

  it('normalizes names as PEP 503 does', () => {
    assert.equal(normalizeName('Nova_DPM'), 'nova-dpm')
    assert.equal(normalizeName('oslo.config'), 'oslo-config')
  })

  it('drops only the package own pin, whatever its spelling', () => {
    const { text, removed } = dropPackage(REAL_SHAPE, 'nova-dpm')
    assert.deepEqual(removed, ['Nova_DPM===3.0.0'])
    assert.ok(!/nova/i.test(text.replace('python-novaclient', '')))
    assert.match(text, /zhmcclient===0\.18\.0/)
    assert.match(text, /python-novaclient===9\.1\.1/)
    assert.equal(text.split('\n').length, REAL_SHAPE.split('\n').length - 1)
  })

  it('leaves a file without the package untouched', () => {
    const { text, removed } = dropPackage('zhmcclient===0.18.0\n', 'networking-dpm')
    assert.deepEqual(removed, [])
    assert.equal(text, 'zhmcclient===0.18.0\n')
  })
})
