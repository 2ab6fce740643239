import * as http from 'node:http'
import * as https from 'node:https'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as zlib from 'node:zlib'
import { HttpClient } from '@actions/http-client'
import { ActionError } from '../errors.js'
import { shown } from '../log/escape.js'
import { redact } from '../log/secrets.js'
import { decodeText, MAX_TEXT_FILE_BYTES } from './files.js'
import { retryPolicy, TransientError, withRetries, type NetworkSettings } from './retry.js'
import { checkHop, type TransportRule } from './transport.js'
import { isUntrustedCode, trustAdvice } from './trust.js'

export interface FetchOptions {
  network: NetworkSettings
  rule: TransportRule
  /** The thing fetched, starting a sentence: "The constraints file". */
  what: string
  /** How to fix a URL that is not there (404): "Check the 'release' input, or …". */
  advice?: string
}

export interface Fetched {
  text: string
  /** Where the text came from after redirects, without credentials (safe to print and to output). */
  finalUrl: string
}

const MAX_REDIRECTS = 10
const REDIRECTS = new Set([301, 302, 303, 307, 308])
const USER_AGENT = 'setup-nova-dpm'

/**
 * GETs a text document, retrying what may pass (network errors, 5xx, 429).
 *
 * Requests are made with node's http/https rather than through
 * @actions/http-client's `get`: its `socketTimeout` is an idle timer, reset
 * by every byte, so a server that trickles a byte a second holds it forever,
 * and it cannot resolve a relative redirect. Here one deadline covers a whole
 * attempt (DNS, connect, TLS, every redirect, the complete body), and at it
 * the sockets are destroyed, so nothing keeps the process alive afterwards.
 * The client still supplies the agent, which honours https_proxy/no_proxy.
 *
 * Redirects are followed here, each hop through `checkHop`. Credentials in
 * the URL travel as HTTP Basic auth, never in the request line, and only to
 * the origin they were written for.
 */
export async function fetchText(url: string, options: FetchOptions): Promise<Fetched> {
  if (!URL.canParse(url)) throw new ActionError(`${options.what} has no valid URL: ${quoted(url)}. Write it as https://host/path.`)
  const start = new URL(url)
  return withRetries(
    `GET ${shown(redact(url))}`,
    () => fetchOnce(start, options),
    retryPolicy(options.network),
    reason => `${options.what} could not be fetched from ${quoted(url)}: ${reason}. The host may be down or unreachable; re-run the job later.`
  )
}

async function fetchOnce(start: URL, options: FetchOptions): Promise<Fetched> {
  const seconds = options.network.timeoutSeconds
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), seconds * 1000)
  let url = start
  let from: URL | undefined
  let response: http.IncomingMessage | undefined
  try {
    for (let hop = 0; ; hop++) {
      checkHop(from, url, options.rule)
      // Each answer is destroyed when done with, read or not: one left unread holds its socket, and
      // the process with it, for as long as the server keeps the connection alive.
      response?.destroy()
      response = await get(url, url.origin === start.origin ? basicAuth(start) : undefined, deadline.signal)
      const status = response.statusCode ?? 0
      if (REDIRECTS.has(status)) {
        from = url
        url = nextHop(response.headers.location, url, start, hop, options)
        continue
      }
      if (status !== 200) throw statusError(status, url, response.headers, options)
      const text = await readBody(response, url, options.what, deadline.signal)
      return { text, finalUrl: withoutCredentials(url) }
    }
  } catch (error) {
    if (deadline.signal.aborted) throw new TransientError(`no complete answer within ${seconds} s`)
    if (error instanceof ActionError || error instanceof TransientError) throw error
    throw requestError(error as NodeJS.ErrnoException, url)
  } finally {
    clearTimeout(timer)
    response?.destroy()
  }
}

function nextHop(location: string | undefined, url: URL, start: URL, hop: number, options: FetchOptions): URL {
  if (hop >= MAX_REDIRECTS) {
    throw new ActionError(`${quoted(start.href)} redirected more than ${MAX_REDIRECTS} times (a redirect loop?). Set the input to the document's final URL.`)
  }
  if (!location || !URL.canParse(location, url)) {
    throw new ActionError(`${options.what} could not be fetched: ${quoted(url.href)} redirects to an invalid address ${quoted(location ?? '')}.`)
  }
  return new URL(location, url)
}

function get(url: URL, authorization: string | undefined, signal: AbortSignal): Promise<http.IncomingMessage> {
  const secure = url.protocol === 'https:'
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request({
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port || (secure ? 443 : 80),
      path: url.pathname + url.search,
      method: 'GET',
      headers: {
        'user-agent': USER_AGENT,
        accept: 'text/plain, */*;q=0.1',
        'accept-encoding': 'gzip, deflate, br',
        ...(authorization ? { authorization } : {})
      },
      // A fresh agent without keep-alive (or the proxy tunnel the environment asks for): no socket outlives the request.
      agent: new HttpClient(USER_AGENT).getAgent(url.href),
      signal
    })
    request.once('response', resolve)
    request.once('error', reject)
    request.end()
  })
}

function basicAuth(url: URL): string | undefined {
  if (!url.username && !url.password) return undefined
  const plain = (s: string) => {
    try {
      return decodeURIComponent(s)
    } catch {
      return s // a stray '%' is part of the token
    }
  }
  return `Basic ${Buffer.from(`${plain(url.username)}:${plain(url.password)}`).toString('base64')}`
}

/** The body, decompressed, within the size limit and the deadline. */
async function readBody(response: http.IncomingMessage, url: URL, what: string, signal: AbortSignal): Promise<string> {
  const tooLarge = new ActionError(
    `${what} at ${quoted(url.href)} is larger than ${MAX_TEXT_FILE_BYTES / 1024 / 1024} MiB, far more than such a file holds. ` +
      'Check that the URL names the right file.'
  )
  if (Number(response.headers['content-length']) > MAX_TEXT_FILE_BYTES) throw tooLarge
  const chunks: Buffer[] = []
  let total = 0
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      total += chunk.length
      if (total > MAX_TEXT_FILE_BYTES) return done(tooLarge)
      chunks.push(chunk)
      done()
    }
  })
  const encoding = response.headers['content-encoding']
  const decoder = decoderFor(encoding, url, what)
  try {
    await (decoder ? pipeline(response, decoder, sink, { signal }) : pipeline(response, sink, { signal }))
  } catch (error) {
    // The whole body came and does not decode: the same bytes will come next time.
    if (ZLIB_ERROR.test((error as NodeJS.ErrnoException).code ?? '')) {
      throw new ActionError(
        `${what} at ${quoted(url.href)} came with Content-Encoding ${shown(encoding ?? '')}, but its body does not decode ` +
          `(${shown((error as Error).message)}): the server sends a damaged or mislabelled file. Check the URL, or ask the server's owner.`
      )
    }
    throw error
  }
  const text = decodeText(Buffer.concat(chunks))
  if (text === undefined) {
    throw new ActionError(`${what} at ${quoted(url.href)} is not text (not UTF-8, or it holds NUL bytes). Check that the URL names the right file.`)
  }
  return text
}

function decoderFor(encoding: string | undefined, url: URL, what: string): NodeJS.ReadWriteStream | undefined {
  switch ((encoding ?? 'identity').trim().toLowerCase()) {
    case 'identity':
      return undefined
    case 'gzip':
    case 'x-gzip':
    case 'deflate':
      return zlib.createUnzip()
    case 'br':
      return zlib.createBrotliDecompress()
    default:
      throw new ActionError(
        `${what} at ${quoted(url.href)} came with Content-Encoding ${shown(encoding ?? '')}, which the action cannot read ` +
          '(it asks for gzip, deflate or br, or none). Check the URL, or have the server send the file plain.'
      )
  }
}

/** The codes of zlib's and brotli's decoding errors (Z_DATA_ERROR, ERR__ERROR_FORMAT_PADDING_1), never a socket's. */
const ZLIB_ERROR = /^(Z_|ERR__ERROR_|ERR_BROTLI)/

function statusError(status: number, url: URL, headers: http.IncomingHttpHeaders, options: FetchOptions): Error {
  const at = quoted(url.href)
  if (status >= 500 || status === 429) {
    const wait = retryAfterMs(headers['retry-after'])
    return new TransientError(wait === undefined ? `HTTP ${status}` : `HTTP ${status}, asked to retry after ${Math.round(wait / 1000)} s`, wait)
  }
  if (status === 404 || status === 410) return new ActionError(`${options.what} was not found (HTTP ${status}) at ${at}. ${options.advice ?? 'Check the URL.'}`)
  if (status === 401 || status === 403) {
    return new ActionError(
      `${options.what} at ${at} needs credentials, and they were missing or refused (HTTP ${status}). ` +
        'Put a token in the URL (https://TOKEN@host/…; the log masks it), or check that the one given is valid and may read this file.'
    )
  }
  return new ActionError(`${options.what} could not be fetched from ${at}: HTTP ${status}. ${options.advice ?? 'Check the URL.'}`)
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfterMs(header: string | undefined): number | undefined {
  if (!header) return undefined
  const ms = /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - Date.now()
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined
}

/**
 * A request that failed before an answer. A certificate that does not verify
 * will not verify next time either; anything else (refused, reset, DNS) may pass.
 */
function requestError(error: NodeJS.ErrnoException, url: URL): Error {
  const code = error.code ?? ''
  const message = shown(error.message || code)
  if (isUntrustedCode(code)) {
    return new ActionError(`The TLS certificate of ${shown(url.host)} is not trusted (${code}: ${message}). ${trustAdvice('action')}`)
  }
  if (/CERT|CRL|SIGNATURE|HOSTNAME|INVALID_PURPOSE|PATH_LENGTH|CHAIN_TOO_LONG|ERR_TLS|ERR_SSL/.test(code)) {
    return new ActionError(`The TLS certificate of ${shown(url.host)} was not accepted (${code}: ${message}). Check the URL's host, or ask the server's owner.`)
  }
  return new TransientError(`network error: ${code && !message.includes(code) ? `${code} ` : ''}${message}`)
}

function withoutCredentials(url: URL): string {
  const clean = new URL(url.href)
  clean.username = ''
  clean.password = ''
  return clean.href
}

function quoted(value: string): string {
  return `'${shown(redact(value))}'`
}
