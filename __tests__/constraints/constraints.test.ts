import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { dropProjects, normalizeName, pinsOf, validateConstraints } from '../../src/constraints/constraints.js'

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

  it('names the bad lines by number and quotes only a short excerpt of the first', () => {
    const secret = 'root:x:0:0:root:/root:/bin/bash-and-a-lot-more-text-after-it'
    assert.throws(
      () => validateConstraints(`a===1\n${secret}\nb===2\n<<x>>\n`, 'f'),
      (e: Error) => /2 line\(s\).*line 2, 4; line 2: 'root…'\)/.test(e.message) && !e.message.includes('<<x>>')
    )
  })

  it('quotes nothing of a dotenv file or an environment listing but its shape', () => {
    const env = 'ACTIONS_RUNTIME_TOKEN=eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nHOME=/root\n'
    assert.throws(
      () => validateConstraints(env, 'f'),
      (e: Error) =>
        e.message === "The constraints at f have 3 line(s) that are not 'name===version' constraints (line 1, 2, 3; line 1: an unquoted NAME=value assignment). Point 'constraints' at an upper-constraints.txt."
    )
    // /proc/self/environ is one line: its first variable may be anything.
    assert.throws(
      () => validateConstraints('HOSTNAME=runner\u0000AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI', 'f'),
      (e: Error) => e.message.includes("line 1: 'HOSTNAME…'") && !/wJalr|AWS_/.test(e.message)
    )
    assert.throws(
      () => validateConstraints('machine pypi.example.org login deploy password hunter2\n', 'f'),
      (e: Error) => e.message.includes("line 1: 'machine pypi.example.org…'") && !/deploy|hunter2/.test(e.message)
    )
  })

  it('escapes control characters in the excerpt', () => {
    assert.throws(() => validateConstraints('bad line \u001b[31m\n', 'f'), (e: Error) => e.message.includes('\\u001b') && !e.message.includes('\u001b'))
  })

  it('normalizes names as PEP 503 does', () => {
    assert.equal(normalizeName('Nova_DPM'), 'nova-dpm')
    assert.equal(normalizeName('oslo.config'), 'oslo-config')
  })

  it('drops only the named projects, whatever their spelling', () => {
    const { text, removed } = dropProjects(REAL_SHAPE, ['nova-dpm', 'ZHMCClient'])
    assert.deepEqual(removed, ['zhmcclient===0.18.0', 'Nova_DPM===3.0.0'])
    assert.match(text, /python-novaclient===9\.1\.1/)
    assert.equal(text.split('\n').length, REAL_SHAPE.split('\n').length - 2)
  })

  it('leaves a file without the projects untouched', () => {
    const { text, removed } = dropProjects('zhmcclient===0.18.0\n', ['networking-dpm'])
    assert.deepEqual(removed, [])
    assert.equal(text, 'zhmcclient===0.18.0\n')
  })

  it('finds every pin of a project, one per marker', () => {
    assert.deepEqual(pinsOf("six===1.10.0;python_version=='2.7'\nsix===1.11.0;python_version>='3'\nx===1\n", 'six'), [
      "six===1.10.0;python_version=='2.7'",
      "six===1.11.0;python_version>='3'"
    ])
  })
})
