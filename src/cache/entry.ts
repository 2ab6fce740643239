import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import { PassThrough, Transform, Writable, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { HttpClient } from '@actions/http-client'
import { onPath } from '../python/interpreter.js'
import type { Compression } from './archive.js'
import type { CacheKeys } from './keys.js'

/**
 * Finding and downloading an entry without extracting it. @actions/cache
 * exports only restoreCache, which extracts with `tar -P` relative to the
 * workspace, where an entry's absolute or `..` members land outside the
 * cached directory before anything can look at them; its lookup
 * (cacheTwirpClient), download (downloadCache) and version
 * (getCacheVersion) are internal to the package (its `exports` has '.' only).
 * So the lookup is made here, in the protocol the toolkit speaks to the
 * cache service (v2: Twirp JSON), with the toolkit's HTTP client, and the
 * archive is fetched from the signed URL the service answers.
 */

const SERVICE = 'twirp/github.actions.results.api.v1.CacheService'
/** The toolkit's salt in every entry's version (cacheUtils.versionSalt). */
const VERSION_SALT = '1.0'

export interface FoundEntry {
  matchedKey: string
  compression: Compression
  /** The entry's size as downloaded. */
  bytes: number
}

/** The compression the toolkit uses, and so the one an entry it saved for this runner has: it asks whether zstd runs. */
export function compressionMethod(env: NodeJS.ProcessEnv = process.env): Compression {
  return onPath('zstd', env.PATH) ? 'zstd-without-long' : 'gzip'
}

/**
 * The toolkit's entry version: the cached paths as given, the compression and
 * its salt (Windows adds a marker, which the action does not run on). Entries
 * are found by key prefix and this exact version.
 */
export function cacheVersion(paths: readonly string[], compression: Compression): string {
  return createHash('sha256')
    .update([...paths, compression, VERSION_SALT].join('|'))
    .digest('hex')
}

/**
 * Downloads the newest entry for `keys` that caches `dir`, into the file
 * `to`, or, when `to` is a reader, into that reader alone: its bytes handed
 * over as they arrive, in a stream that ends when the download does, whole or
 * not. Returns undefined when there is none (or the runner allows no cache
 * reads). Throws on a service or transfer failure, which the caller reports
 * as a miss.
 */
export async function downloadEntry(
  dir: string,
  keys: CacheKeys,
  to: string | ((bytes: Readable, compression: Compression) => void),
  env: NodeJS.ProcessEnv = process.env
): Promise<FoundEntry | undefined> {
  if (['none', 'write-only'].includes((env.ACTIONS_CACHE_MODE ?? '').trim().toLowerCase())) return undefined
  const service = serviceV2(env)
  if (!service) throw new Error('the action restores entries only from the cache service v2 (github.com); this runner offers another')
  const compression = compressionMethod(env)
  const client = new HttpClient('setup-nova-dpm', [], { allowRetries: false })
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${env.ACTIONS_RUNTIME_TOKEN ?? ''}` }
  const request = { key: keys.identity, restore_keys: [keys.identity, ...keys.fallbacks], version: cacheVersion([dir], compression) }
  const response = await client.post(new URL(`/${SERVICE}/GetCacheEntryDownloadURL`, service).href, JSON.stringify(request), headers)
  const body = await response.readBody()
  if (response.message.statusCode !== 200) throw new Error(`the cache service answered HTTP ${response.message.statusCode} to the lookup`)
  const answer = JSON.parse(body) as { ok?: boolean; signed_download_url?: string; matched_key?: string }
  if (!answer.ok) return undefined
  if (!answer.signed_download_url || !answer.matched_key) throw new Error('the cache service found an entry but named no download URL or key')
  const download = await client.get(answer.signed_download_url)
  if (download.message.statusCode !== 200) {
    download.message.destroy()
    throw new Error(`the entry's download answered HTTP ${download.message.statusCode}`)
  }
  let bytes = 0
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length
      done(null, chunk)
    }
  })
  if (typeof to === 'string') {
    await pipeline(download.message, counted, fs.createWriteStream(to, { flags: 'wx' }))
  } else {
    // A reader that stops early takes itself off; its stream is ended whatever becomes of the transfer.
    const copy = new PassThrough()
    download.message.pipe(copy, { end: false })
    to(copy, compression)
    try {
      await pipeline(download.message, counted, new Writable({ write: (_chunk, _encoding, done) => done() }))
    } finally {
      if (!copy.destroyed) copy.end()
    }
  }
  return { matchedKey: answer.matched_key, compression, bytes }
}

/** Where the runner's cache service v2 answers, the one whose protocol the lookup speaks; undefined when it offers none. */
export function serviceV2(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.ACTIONS_CACHE_SERVICE_V2 && env.ACTIONS_RESULTS_URL && !onGhes(env) ? env.ACTIONS_RESULTS_URL : undefined
}

/** The toolkit's test: GitHub Enterprise Server speaks the older cache protocol. */
function onGhes(env: NodeJS.ProcessEnv): boolean {
  const host = new URL(env.GITHUB_SERVER_URL || 'https://github.com').hostname.toUpperCase()
  return !(host === 'GITHUB.COM' || host.endsWith('.GHE.COM') || host.endsWith('.LOCALHOST'))
}
