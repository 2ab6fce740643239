import * as fs from 'node:fs'
import * as path from 'node:path'
import { runTempDir } from '../io/tempDir.js'
import { shown } from '../log/escape.js'
import { warning } from '../log/log.js'
import { fetchChecked, missed, restored } from './checkedEntry.js'
import type { CacheKeys } from './keys.js'
import type { CacheRestore } from './service.js'

/**
 * Restores pip's cache directory `dir` from an entry whose members all lie
 * below it: directories and regular files only (pip writes no links there,
 * and a link would let pip's later writes land outside). They are extracted
 * over what `dir` holds, as the toolkit would. What this proves is where the
 * files go, not what they are: pip uses the wheels and index answers it finds
 * cached as if it had downloaded them (see the README's cache trust model).
 * Anything refused or failed is a warning and a miss.
 */
export async function restorePipCache(dir: string, keys: CacheKeys, timeoutSeconds: number): Promise<CacheRestore> {
  const started = Date.now()
  const staging = fs.mkdtempSync(path.join(runTempDir(), 'pip-restore-'))
  try {
    const checked = await fetchChecked(dir, keys, dir, staging, timeoutSeconds, { within: "pip's cache directory", links: false })
    if (checked.kind === 'none') return missed(started)
    if (checked.kind === 'refused') {
      warning(`The pip cache entry ${shown(checked.matchedKey)} ${checked.what}: ${checked.problems.join('; ')}. Nothing from it was used; installing without it.`)
      return missed(started)
    }
    return restored(checked, keys, started)
  } catch (error) {
    return missed(started, error)
  } finally {
    fs.rmSync(staging, { recursive: true, force: true })
  }
}
