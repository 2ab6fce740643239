import * as fs from 'node:fs'
import * as path from 'node:path'
import * as cache from '@actions/cache'
import * as core from '@actions/core'

export interface CacheRestore {
  matchedKey?: string
  exactHit: boolean
  ms: number
  bytes: number
}

export interface CacheSave {
  saved: boolean
  ms: number
  bytes: number
}

/** Whether the runner offers a cache service; without one the action installs uncached. */
export function cacheServiceAvailable(): boolean {
  return cache.isFeatureAvailable()
}

/** Restores `dir`; any failure is a warning and a miss, never a failed job. */
export async function restoreDir(dir: string, key: string, restoreKeys: string[]): Promise<CacheRestore> {
  const started = Date.now()
  let matchedKey: string | undefined
  try {
    matchedKey = await cache.restoreCache([dir], key, restoreKeys)
  } catch (error) {
    core.warning(`Cache restore failed, installing without it: ${(error as Error).message}`)
  }
  return { matchedKey, exactHit: matchedKey === key, ms: Date.now() - started, bytes: matchedKey ? dirSize(dir) : 0 }
}

/** Saves `dir` under `key`; a key another job saved first is normal in a matrix. */
export async function saveDir(dir: string, key: string): Promise<CacheSave> {
  const started = Date.now()
  const bytes = dirSize(dir)
  if (bytes === 0) {
    core.info(`${dir} is empty; nothing to cache.`)
    return { saved: false, ms: 0, bytes }
  }
  let saved = false
  try {
    // The library reports a key reserved by a concurrent job as an info line
    // and other failures as warnings, and returns -1 for both.
    saved = (await cache.saveCache([dir], key)) !== -1
  } catch (error) {
    core.warning(`Cache save failed; the next run will install uncached again: ${(error as Error).message}`)
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
