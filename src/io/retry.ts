import { ActionError } from '../errors.js'
import { info } from '../log/log.js'

/** How network waits are bounded: one request, its retries, all of them together. */
export interface NetworkSettings {
  /** Retries after a failed fetch or ls-remote (network error, 5xx). */
  retries: number
  /** Seconds one request may take, from connecting to the last byte. */
  timeoutSeconds: number
  /** Seconds all attempts together may take. */
  retryMaxSeconds: number
  /** What the user set explicitly, for pip; unset leaves pip's own configuration alone. */
  pipArgs: string[]
}

/** Thrown by an attempt that may succeed if tried again (network error, 5xx). */
export class TransientError extends Error {
  constructor(
    message: string,
    /** How long the server asked us to wait (Retry-After), if it did. */
    readonly retryAfterMs?: number
  ) {
    super(message)
    this.name = 'TransientError'
  }
}

export interface RetryPolicy {
  attempts: number
  /** First wait; each later one doubles. */
  baseDelayMs: number
  /** No wait may push the whole operation past this. */
  maxTotalMs: number
}

export function retryPolicy(network: NetworkSettings): RetryPolicy {
  return { attempts: network.retries + 1, baseDelayMs: 500, maxTotalMs: network.retryMaxSeconds * 1000 }
}

/**
 * Runs `attempt` until it succeeds or throws a non-transient error. When the
 * policy is spent, fails with `giveUp(last reason, with how often it was tried)`.
 */
export async function withRetries<T>(what: string, attempt: () => Promise<T>, policy: RetryPolicy, giveUp: (reason: string) => string): Promise<T> {
  const started = Date.now()
  for (let n = 1; ; n++) {
    try {
      return await attempt()
    } catch (error) {
      if (!(error instanceof TransientError)) throw error
      const delay = error.retryAfterMs ?? policy.baseDelayMs * 2 ** (n - 1)
      const spent = n >= policy.attempts || Date.now() - started + delay > policy.maxTotalMs
      if (spent) throw new ActionError(giveUp(`${error.message} (tried ${n} time${n === 1 ? '' : 's'})`))
      info(`${what}: ${error.message}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${n + 1} of ${policy.attempts})`)
      await new Promise(resolve => setTimeout(resolve, delay))
    }
  }
}
