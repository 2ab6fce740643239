import * as fs from 'node:fs'
import * as path from 'node:path'
import { runTempDir } from '../io/tempDir.js'
import { watchRequests } from '../io/requestWatch.js'
import { shown } from '../log/escape.js'
import { info, warning } from '../log/log.js'
import type { Interpreter } from '../python/interpreter.js'
import { venvSkeleton } from '../python/venv.js'
import { extractArchive, listArchive, refusedMembers } from './archive.js'
import { downloadEntry } from './entry.js'
import type { CacheKeys } from './keys.js'
import { dirSize, stalledReason, type CacheRestore } from './service.js'
import { unprovenTree } from './venvTree.js'

/**
 * Restores a venv entry only when nothing in it can act before it is proved:
 * the archive is downloaded, never handed to the toolkit's `tar -P`; its
 * member list is read first, and an entry with a member outside the venv is
 * refused before a byte of it is written; it is extracted into a directory
 * of the action's own, its whole tree checked with node (`unprovenTree`),
 * and only then moved to `dir`, which must be absent, empty or the action's
 * own venv (replaced whole). Anything refused is a warning and a miss: the
 * venv is built afresh and saved under a new key.
 */
export async function restoreVenv(dir: string, keys: CacheKeys, base: Interpreter, timeoutSeconds: number): Promise<CacheRestore> {
  const started = Date.now()
  const miss = (): CacheRestore => ({ exactHit: false, ms: Date.now() - started, bytes: 0 })
  const staging = fs.mkdtempSync(path.join(runTempDir(), 'venv-restore-'))
  const reference = path.join(staging, 'reference', path.basename(dir))
  // The skeleton is made while the entry comes down: one interpreter start of the base, not of the entry.
  const skeleton = venvSkeleton(base, reference).then(
    () => undefined,
    (error: Error) => error
  )
  try {
    const archive = path.join(staging, 'entry.tar')
    const { value: found } = await watchRequests(() => downloadEntry(dir, keys, archive), timeoutSeconds * 1000, stalledReason(timeoutSeconds))
    if (!found) return miss()
    info(`Cache hit for: ${found.matchedKey}`)
    const refused = (what: string, problems: string[]) => {
      warning(`The venv cache entry ${shown(found.matchedKey)} ${what}: ${problems.join('; ')}. Nothing from it was used; rebuilding the venv and saving it under a new key.`)
      return miss()
    }
    const prefix = workspaceRelative(dir)
    const members = await listArchive(archive, found.compression, path.join(staging, 'members.txt'))
    const outside = refusedMembers(members, prefix)
    if (outside.length > 0) return refused('holds members the action does not extract', outside)
    const tree = path.join(staging, 'venv')
    await extractArchive(archive, found.compression, tree, prefix.split('/').length)
    const failed = await skeleton
    if (failed) throw failed
    const unproven = unprovenTree(tree, reference, dir)
    if (unproven.length > 0) return refused('failed the check made before anything from it runs', unproven)
    fs.rmSync(dir, { recursive: true, force: true })
    fs.mkdirSync(path.dirname(dir), { recursive: true })
    moveTree(tree, dir)
    const archiveBytes = fs.statSync(archive).size
    return { matchedKey: found.matchedKey, exactHit: found.matchedKey.startsWith(keys.identity), ms: Date.now() - started, bytes: dirSize(dir), archiveBytes }
  } catch (error) {
    warning(`Cache restore failed, installing without it: ${shown((error as Error).message)}`)
    return miss()
  } finally {
    await skeleton
    fs.rmSync(staging, { recursive: true, force: true })
  }
}

/**
 * How the toolkit names `dir` in an archive it saves: relative to the
 * workspace, with '/' (and '.' for the workspace itself).
 */
export function workspaceRelative(dir: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.relative(env.GITHUB_WORKSPACE ?? process.cwd(), dir).split(path.sep).join('/') || '.'
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
