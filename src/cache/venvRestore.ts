import * as fs from 'node:fs'
import * as path from 'node:path'
import { runTempDir } from '../io/tempDir.js'
import { shown } from '../log/escape.js'
import { warning } from '../log/log.js'
import type { Interpreter } from '../python/interpreter.js'
import { venvSkeleton } from '../python/venv.js'
import { fetchChecked, missed, restored, type Proof } from './checkedEntry.js'
import type { CacheKeys } from './keys.js'
import type { CacheRestore } from './service.js'
import { entryPath } from './venvEntry.js'
import { proofReads, unprovenTree } from './venvTree.js'

/**
 * Restores a venv entry only when nothing in it can act before it is proved:
 * the archive is downloaded, never handed to the toolkit's `tar -P`, and read
 * by the action as it comes down; GNU tar extracts the action's rewriting of
 * each member that passed the rules (nothing outside the venv; nothing after
 * the first member that fails them) into a directory of the action's own;
 * every member's content is proved from that same reading (`unprovenTree`),
 * and only then is the tree moved to `dir`, which must be
 * absent, empty or the action's own venv (replaced whole). Anything refused
 * is a warning and a miss: the venv is built afresh and saved under a new key.
 */
export async function restoreVenv(dir: string, keys: CacheKeys, base: Interpreter, timeoutSeconds: number): Promise<CacheRestore> {
  const started = Date.now()
  const staging = fs.mkdtempSync(path.join(runTempDir(), 'venv-restore-'))
  const reference = path.join(staging, 'reference', path.basename(dir))
  // The skeleton is made while the entry comes down: one interpreter start of the base, not of the entry.
  const skeleton = venvSkeleton(base, reference).then(
    () => undefined,
    (error: Error) => error
  )
  const tree = path.join(staging, 'venv')
  const proof: Proof = {
    reads: proofReads,
    async prove(members, extracted) {
      const failed = await skeleton
      if (failed) throw failed
      const fromMemory = unprovenTree(members, reference, dir)
      if (!fromMemory.needsTree) return fromMemory
      await extracted
      return unprovenTree(members, reference, dir, tree)
    }
  }
  try {
    // The entry was saved from the venv's stage (see saveVenv): its version and its members' names are the stage's.
    const checked = await fetchChecked(entryPath(dir), keys, tree, staging, timeoutSeconds, { within: 'the venv', links: true }, proof)
    if (checked.kind === 'none') return missed(started)
    if (checked.kind === 'refused') {
      warning(`The venv cache entry ${shown(checked.matchedKey)} ${checked.what}: ${checked.problems.join('; ')}. Nothing from it was used; rebuilding the venv and saving it under a new key.`)
      return missed(started)
    }
    fs.rmSync(dir, { recursive: true, force: true })
    fs.mkdirSync(path.dirname(dir), { recursive: true })
    moveTree(tree, dir)
    return restored(checked, keys, started)
  } catch (error) {
    return missed(started, error)
  } finally {
    await skeleton
    fs.rmSync(staging, { recursive: true, force: true })
  }
}

/** A rename when the run's temp directory is on the venv's file system; otherwise a copy that keeps links as they are. */
function moveTree(from: string, to: string): void {
  try {
    fs.renameSync(from, to)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error
    fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true })
  }
}
