import * as fs from 'node:fs'
import * as path from 'node:path'
import type * as Toolkit from '@actions/cache'
import { shown } from '../log/escape.js'
import { info, warning } from '../log/log.js'
import type { CacheKeys } from './keys.js'

export interface CacheRestore {
  matchedKey?: string
  /** An entry for exactly these inputs (see CacheKeys.identity). */
  exactHit: boolean
  ms: number
  bytes: number
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

/** Whether the runner offers a cache service; without one the action installs uncached. */
export async function cacheServiceAvailable(): Promise<boolean> {
  return (await cacheLibrary()).isFeatureAvailable()
}

/**
 * Restores `dir`; any failure is a warning and a miss, never a failed job. A
 * download that stops sending is given up by the toolkit (its socket and
 * segment time-outs, set from the `timeout` input).
 */
export async function restoreDir(dir: string, keys: CacheKeys, timeoutSeconds: number): Promise<CacheRestore> {
  const started = Date.now()
  let matchedKey: string | undefined
  try {
    matchedKey = await (await cacheLibrary()).restoreCache([dir], keys.identity, [keys.identity, ...keys.fallbacks], {
      timeoutInMs: timeoutSeconds * 1000,
      segmentTimeoutInMs: timeoutSeconds * 1000
    })
  } catch (error) {
    warning(`Cache restore failed, installing without it: ${shown((error as Error).message)}`)
  }
  return { matchedKey, exactHit: matchedKey?.startsWith(keys.identity) ?? false, ms: Date.now() - started, bytes: matchedKey ? dirSize(dir) : 0 }
}

/** Saves `dir` under `key`; a key another job saved first is normal in a matrix, a failing service a warning. */
export async function saveDir(dir: string, key: string): Promise<CacheSave> {
  const started = Date.now()
  const bytes = dirSize(dir)
  if (bytes === 0) {
    info(`${shown(dir)} is empty; nothing to cache.`)
    return { saved: false, ms: 0, bytes }
  }
  let saved = false
  try {
    // The library reports a key reserved by a concurrent job as an info line
    // and other failures as warnings, and returns -1 for both.
    saved = (await (await cacheLibrary()).saveCache([dir], key)) !== -1
  } catch (error) {
    warning(`Cache save failed; the next run will install uncached again: ${shown((error as Error).message)}`)
  }
  return { saved, ms: Date.now() - started, bytes }
}

function dirSize(dir: string): number {
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
