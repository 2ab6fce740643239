import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { describe, it } from 'node:test'
import { hasControlCharacters, shown } from '../../src/log/escape.js'

describe('printed values are data, never workflow commands', { timeout: 20_000 }, () => {
  it('escapes line breaks and every other control character visibly', () => {
    assert.equal(shown('a\nb\r\tc\u0000\u001b[31m\u2028'), 'a\\nb\\r\\tc\\u0000\\u001b[31m\\u2028')
    assert.equal(shown('nova-dpm>=3.0.0,<4.0.0'), 'nova-dpm>=3.0.0,<4.0.0')
  })

  it('finds control characters raw and percent-encoded', () => {
    for (const bad of ['a\nb', 'x%0Ay', 'x%0d', '%00', '%7F']) assert.equal(hasControlCharacters(bad), true, bad)
    for (const good of ['https://h/a%20b', 'plain', '/tmp/a b']) assert.equal(hasControlCharacters(good), false, good)
  })

  it('a log line that starts with a value is written with commands off', () => {
    const script = `
      import { info } from ${JSON.stringify(new URL('../../src/log/log.ts', import.meta.url).pathname)}
      info('::warning::from a value is not an annotation')
      info('plain line')
    `
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' }).split('\n')
    const at = out.indexOf('::warning::from a value is not an annotation')
    const stop = out[at - 1].match(/^::stop-commands::(\S+)$/)
    assert.ok(stop, out.join('\n'))
    assert.equal(out[at + 1], `::${stop![1]}::`)
    assert.equal(out[at + 2], 'plain line')
  })
})
