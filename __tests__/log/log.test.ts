import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { describe, it } from 'node:test'

describe('warnings', { timeout: 20_000 }, () => {
  it('each one is an annotation and is kept for the summary, escaped and with credentials hidden', () => {
    const script = `
      import { warning, warningsSoFar } from ${JSON.stringify(new URL('../../src/log/log.ts', import.meta.url).pathname)}
      warning('first: https://user:s3cret@example.org/uc.txt could not be read')
      warning('second,\\nover two lines')
      console.log(JSON.stringify(warningsSoFar()))
    `
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' }).trim().split('\n')
    assert.equal(out.filter(line => line.startsWith('::warning::')).length, 2, out.join('\n'))
    assert.deepEqual(JSON.parse(out.at(-1)!), ['first: https://***@example.org/uc.txt could not be read', 'second,\\nover two lines'])
  })
})
