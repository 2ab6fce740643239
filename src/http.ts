import { HttpClient } from '@actions/http-client'
import { ActionError } from './errors.js'
import { redact, type NetworkConfig } from './inputs.js'
import { retryPolicy, TransientError, withRetries } from './retry.js'

const MAX_REDIRECTS = 10
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_SOCKET'])

/** GETs a text document, following redirects and retrying transient failures. */
export async function fetchText(url: string, network: NetworkConfig): Promise<string> {
  // Redirects are followed here, not by the client: it cannot resolve a
  // relative Location, which servers may send.
  const client = new HttpClient('setup-nova-dpm', [], { socketTimeout: network.timeoutSeconds * 1000, allowRedirects: false })
  return withRetries(
    `GET ${redact(url)}`,
    () => fetchOnce(client, url),
    retryPolicy(network),
    reason => `Could not fetch ${redact(url)}: ${reason}. The host may be down; re-run the job later.`
  )
}

async function fetchOnce(client: HttpClient, start: string): Promise<string> {
  let url = start
  for (let hops = 0; hops <= MAX_REDIRECTS; hops++) {
    let response
    try {
      response = await client.get(url)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? ''
      const message = (error as Error).message
      if (NETWORK_CODES.has(code) || /socket|timeout|hang up/i.test(message)) throw new TransientError(`network error: ${message || code}`)
      throw new ActionError(`GET ${redact(url)} failed: ${message}`)
    }
    const status = response.message.statusCode ?? 0
    const location = response.message.headers.location
    const body = await response.readBody()
    if (status === 200) return body
    if ([301, 302, 303, 307, 308].includes(status) && location) {
      const next = new URL(location, url)
      if (new URL(url).protocol === 'https:' && next.protocol !== 'https:') {
        throw new ActionError(`${redact(url)} redirects from https to ${next.protocol} (${redact(next.href)}); refusing the downgrade.`)
      }
      url = next.href
      continue
    }
    if (status >= 500 || status === 429) {
      throw new TransientError(`HTTP ${status}`, retryAfterMs(response.message.headers['retry-after']))
    }
    if (status === 404) {
      throw new ActionError(
        `The constraints file was not found (HTTP 404) at ${redact(url)}. Check the 'release' input, or set 'constraints' to a file that exists (or 'none').`
      )
    }
    throw new ActionError(`GET ${redact(url)} failed with HTTP ${status}.`)
  }
  throw new ActionError(`${redact(start)} redirected more than ${MAX_REDIRECTS} times (a redirect loop?); set 'constraints' to the file's final URL.`)
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const seconds = Number(Array.isArray(header) ? header[0] : header)
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 30) * 1000 : undefined
}
