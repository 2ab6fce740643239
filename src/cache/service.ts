import * as fs from 'node:fs'
import * as path from 'node:path'
import type * as Toolkit from '@actions/cache'
import { watchRequests } from '../io/requestWatch.js'
import { shown } from '../log/escape.js'
import { info, warning } from '../log/log.js'
import { serviceV2 } from './entry.js'
import type { FileCount } from '../python/verify.js'

export interface CacheRestore {
  matchedKey?: string
  /** An entry for exactly these inputs (see CacheKeys.identity). */
  exactHit: boolean
  ms: number
  /** Unpacked size of what was restored. */
  bytes: number
  /** Size of the entry as downloaded. */
  archiveBytes?: number
  /** What the check of a venv entry's files counted of each RECORD (by its path), before any of them ran: verification does not read them again. */
  proved?: ReadonlyMap<string, FileCount>
}

export interface CacheSave {
  saved: boolean
  ms: number
  bytes: number
}

/**
 * The toolkit's cache library, loaded on first use: with the Azure SDK behind
 * it, it is most of the bundle, and a run without a cache needs none of it.
 * Eager mode keeps it inside dist/index.js (one file, whose licences ncc
 * lists) while its code still runs only when asked for.
 */
let toolkit: Promise<typeof Toolkit> | undefined
function cacheLibrary(): Promise<typeof Toolkit> {
  toolkit ??= import(/* webpackMode: "eager" */ '@actions/cache')
  return toolkit
}

/**
 * Whether the runner offers a cache service; without one the action installs
 * uncached. A v2 service (every github.com runner) is seen from the
 * environment, without the library: a warm restore, which the action makes
 * itself, then never loads it.
 */
export async function cacheServiceAvailable(): Promise<boolean> {
  if (serviceV2()) return true
  const library = await cacheLibrary()
  // @github/local-action puts a stand-in of its own, which keeps caches on disk, in the library's
  // place: it has restoreCache and saveCache only, and is always there.
  return typeof library.isFeatureAvailable === 'function' ? library.isFeatureAvailable() : true
}

/**
 * Saves `dir` under `key`; a key another job saved first is normal in a
 * matrix, a failing or stalled service a warning. The library words any
 * refused reservation as a concurrent job's, in an info line, so the answers
 * tell the two apart; other failures it warns about itself.
 */
export async function saveDir(dir: string, key: string, timeoutSeconds: number): Promise<CacheSave> {
  const started = Date.now()
  const bytes = dirSize(dir)
  if (bytes === 0) {
    info(`${shown(dir)} is empty; nothing to cache.`)
    return { saved: false, ms: 0, bytes }
  }
  let saved = false
  try {
    const library = await cacheLibrary()
    const { value, stalled, answers } = await watchRequests(() => library.saveCache([dir], key), timeoutSeconds * 1000, stalledReason(timeoutSeconds))
    saved = value !== -1
    const refused = answers.find(a => a.path.endsWith('/CreateCacheEntry') && a.status >= 400 && a.status !== 409)
    if (!saved && stalled) saveFailed(stalledReason(timeoutSeconds))
    else if (!saved && refused) saveFailed(`the cache service refused to reserve the entry (HTTP ${refused.status}).`)
  } catch (error) {
    saveFailed(shown((error as Error).message))
  }
  return { saved, ms: Date.now() - started, bytes }
}

/** A save that did not happen, in the one sentence every kind of cache uses. */
export function saveFailed(why: string): void {
  warning(`Cache save failed; the next run will install uncached again: ${why}`)
}

export function stalledReason(timeoutSeconds: number): string {
  return `the cache service stopped answering: nothing moved for ${timeoutSeconds} s (input 'timeout')`
}

export function dirSize(dir: string): number {
  let total = 0
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return 0
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) total += dirSize(full)
    else if (entry.isFile()) total += fs.statSync(full).size
  }
  return total
}
