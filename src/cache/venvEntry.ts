import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { shown } from '../log/escape.js'
import { warning } from '../log/log.js'
import { saveDir, saveFailed, type CacheSave } from './service.js'

/** In the stage's top directory, beside the tree: that directory is the action's own, a leftover of a killed run may go. */
export const ENTRY_MARKER = '.setup-nova-dpm-entry'

/**
 * Where the entry of the venv at `dir` is staged, and so the path it is saved
 * and found under (the toolkit's entry version hashes the paths as given, see
 * cacheVersion). It depends on the venv's path alone, never on RUNNER_TEMP
 * (a directory of each run's own), so that the next run finds the entry. The
 * system's temporary directory: outside the workspace (nothing appears in the
 * user's checkout), the same on every run of a runner image, and on GitHub's
 * runners on the workspace's file system, where the stage's files can be hard
 * links. A runner whose TMPDIR changes between runs misses once.
 */
export function entryPath(dir: string, tmp = os.tmpdir()): string {
  const digest = createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 16)
  return path.join(path.resolve(tmp), `setup-nova-dpm-venv-entry-${digest}`, 'venv')
}

/**
 * Byte code compiled from a module beside it is left out of an entry: it is
 * about half of a venv's bytes and files, pip records it without a hash, and
 * a restore refuses what no RECORD proves (Python would run it in place of
 * the source). That is every `__pycache__` and, in 2.7's layout, a
 * `.pyc`/`.pyo` whose `.py` is among `siblings`. A `.pyc` with no source, as
 * a wheel may ship, is that wheel's own: kept, and proved by its RECORD's
 * hash. The venv itself keeps all of its byte code, so later steps do not
 * compile again.
 */
export function isByteCode(name: string, directory: boolean, siblings: ReadonlySet<string>): boolean {
  return directory ? name === '__pycache__' : /\.py[co]$/.test(name) && siblings.has(name.slice(0, -1))
}

/**
 * Saves the venv at `dir` under `key` as its stage (see stageEntry), which is
 * removed after. The time includes the staging; the size is the entry's.
 */
export async function saveVenv(dir: string, key: string, timeoutSeconds: number): Promise<CacheSave> {
  const started = Date.now()
  let stage: string | undefined
  try {
    stage = stageEntry(dir)
  } catch (error) {
    saveFailed(`the venv could not be staged for the cache: ${shown((error as Error).message)}`)
  }
  if (!stage) return { saved: false, ms: Date.now() - started, bytes: 0 }
  try {
    return { ...(await saveDir(stage, key, timeoutSeconds)), ms: Date.now() - started }
  } finally {
    try {
      removeStage(stage)
    } catch (error) {
      warning(`Could not remove ${shown(path.dirname(stage))}, where the venv was staged for the cache: ${shown((error as Error).message)}. Remove it to free its space.`)
    }
  }
}

/**
 * Mirrors the venv at `dir` into its stage (`entryPath`), byte code left out:
 * directories with their modes, links with their target text, regular files
 * as hard links (copies where the stage is on another file system); nothing
 * else is part of an installed venv, and a restore would refuse it. Returns
 * the stage, or undefined, with a warning, when its top directory exists and
 * is not the action's (no marker, or another owner): it is never removed. A
 * leftover of the action's own (a job killed while saving) is replaced.
 */
export function stageEntry(dir: string, tmp = os.tmpdir()): string | undefined {
  const stage = entryPath(dir, tmp)
  const top = path.dirname(stage)
  const found = fs.lstatSync(top, { throwIfNoEntry: false })
  if (found && !isOurs(top, found)) {
    warning(
      `The venv is not saved to the cache: its entry is staged in ${shown(top)}, which exists and is not the action's ` +
        `(it has no ${ENTRY_MARKER} marker of this user), so the action leaves it untouched. Remove it, or set TMPDIR to another directory.`
    )
    return undefined
  }
  if (found) removeStage(stage)
  // Private: between staging and saving, no other user may change what the entry holds.
  fs.mkdirSync(top, { mode: 0o700 })
  try {
    fs.writeFileSync(path.join(top, ENTRY_MARKER), 'Created by setup-nova-dpm while it saves a venv to the cache; it deletes this directory when it needs to.\n')
    mirror(dir, stage)
  } catch (error) {
    removeStage(stage)
    throw error
  }
  return stage
}

/** Removes a stage `stageEntry` made, top directory and marker included. */
export function removeStage(stage: string): void {
  const top = path.dirname(stage)
  try {
    fs.rmSync(top, { recursive: true, force: true })
  } catch (error) {
    // A directory the venv has read-only is read-only in the stage too; the stage's directories are its own, never the venv's.
    if (!['EACCES', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error
    ownerMayWrite(top)
    fs.rmSync(top, { recursive: true, force: true })
  }
}

function isOurs(top: string, stat: fs.Stats): boolean {
  const marker = fs.lstatSync(path.join(top, ENTRY_MARKER), { throwIfNoEntry: false })
  return stat.isDirectory() && stat.uid === process.getuid?.() && (marker?.isFile() ?? false)
}

function mirror(from: string, to: string): void {
  // Once a link fails for another file system, every file would: the rest are copied without trying.
  let linking = true
  const walk = (source: string, target: string, mode: number): void => {
    fs.mkdirSync(target, { mode: 0o700 })
    const entries = fs.readdirSync(source, { withFileTypes: true })
    const names = new Set(entries.map(entry => entry.name))
    for (const entry of entries) {
      if (isByteCode(entry.name, entry.isDirectory(), names)) continue
      const inSource = path.join(source, entry.name)
      const inTarget = path.join(target, entry.name)
      if (entry.isDirectory()) walk(inSource, inTarget, fs.lstatSync(inSource).mode)
      else if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(inSource), inTarget)
      else if (entry.isFile()) linking = place(inSource, inTarget, linking)
    }
    // Last, so that a directory the venv has read-only could still be filled.
    fs.chmodSync(target, mode & 0o7777)
  }
  walk(from, to, fs.statSync(from).mode)
}

/** A hard link, or a copy where linking is refused; whether the next file should try a link. */
function place(source: string, target: string, linking: boolean): boolean {
  if (linking) {
    try {
      fs.linkSync(source, target)
      return true
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'EXDEV' && code !== 'EPERM') throw error
      copy(source, target)
      // EPERM is per file (Linux's protected_hardlinks refuses files of other owners); EXDEV is the whole file system.
      return code === 'EPERM'
    }
  }
  copy(source, target)
  return false
}

function copy(source: string, target: string): void {
  const stat = fs.statSync(source)
  fs.copyFileSync(source, target, fs.constants.COPYFILE_FICLONE)
  fs.chmodSync(target, stat.mode & 0o7777)
  fs.utimesSync(target, stat.atimeMs / 1000, stat.mtimeMs / 1000)
}

function ownerMayWrite(dir: string): void {
  const stat = fs.lstatSync(dir, { throwIfNoEntry: false })
  if (!stat?.isDirectory()) return
  fs.chmodSync(dir, (stat.mode & 0o7777) | 0o700)
  for (const name of fs.readdirSync(dir)) ownerMayWrite(path.join(dir, name))
}
