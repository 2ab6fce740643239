import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ActionError } from '../../src/errors.js'
import { retryPolicy, TransientError, withRetries } from '../../src/io/retry.js'

const quick = { attempts: 3, baseDelayMs: 1, maxTotalMs: 10_000 }

describe('the retry loop', { timeout: 20_000 }, () => {
  it('returns the first success, after transient failures', async () => {
    let calls = 0
    const value = await withRetries('x', async () => (++calls < 3 ? Promise.reject(new TransientError('503')) : 'ok'), quick, r => r)
    assert.equal(value, 'ok')
    assert.equal(calls, 3)
  })

  it('gives up after the attempts, saying how often it tried', async () => {
    let calls = 0
    await assert.rejects(
      withRetries('x', async () => { calls++; throw new TransientError('HTTP 503') }, quick, r => `gave up: ${r}`),
      (e: Error) => e instanceof ActionError && e.message === 'gave up: HTTP 503 (tried 3 times)'
    )
    assert.equal(calls, 3)
  })

  it('never retries an error that is not transient', async () => {
    let calls = 0
    await assert.rejects(withRetries('x', async () => { calls++; throw new ActionError('404') }, quick, r => r), /404/)
    assert.equal(calls, 1)
  })

  it('stops early when the next wait would pass the total bound', async () => {
    let calls = 0
    const started = Date.now()
    await assert.rejects(
      withRetries('x', async () => { calls++; throw new TransientError('slow', 5_000) }, { attempts: 10, baseDelayMs: 1, maxTotalMs: 1_000 }, r => r),
      /slow \(tried 1 time\)/
    )
    assert.equal(calls, 1)
    assert.ok(Date.now() - started < 1_000, 'did not sleep past the bound')
  })

  it('doubles its waits, or waits as long as the server asked', async () => {
    const waits: number[] = []
    let last = Date.now()
    await assert.rejects(
      withRetries('x', async () => {
        const now = Date.now()
        waits.push(now - last)
        last = now
        throw new TransientError('503')
      }, { attempts: 4, baseDelayMs: 40, maxTotalMs: 10_000 }, r => r)
    )
    assert.ok(waits[2] >= 75 && waits[3] >= 150, `waits ${waits.join(', ')}`)
  })

  it('derives its policy from the network settings', () => {
    assert.deepEqual(retryPolicy({ retries: 2, timeoutSeconds: 5, retryMaxSeconds: 60, pipArgs: [] }), { attempts: 3, baseDelayMs: 500, maxTotalMs: 60_000 })
  })
})
