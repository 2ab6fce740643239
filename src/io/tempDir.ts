import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { shown } from '../log/escape.js'
import { warning } from '../log/log.js'

let made: string | undefined

/**
 * A directory of the action's own for this run, under the runner's temp
 * directory, as an absolute path: pip and Python run from an empty directory
 * of the action's, where a relative path (a local run's RUNNER_TEMP=.tmp)
 * would name nothing. A runner without a usable RUNNER_TEMP still installs:
 * the system's temp directory serves, with a warning.
 */
export function runTempDir(): string {
  if (made) return made
  const runnerTemp = process.env.RUNNER_TEMP
  if (runnerTemp) {
    try {
      made = fs.mkdtempSync(path.join(path.resolve(runnerTemp), 'setup-nova-dpm-'))
      return made
    } catch (error) {
      warning(`RUNNER_TEMP (${shown(runnerTemp)}) is not usable: ${whyNotWritable(runnerTemp, error)}; using ${os.tmpdir()} instead.`)
    }
  } else {
    warning(`RUNNER_TEMP is not set; using ${os.tmpdir()} for the action's temporary files.`)
  }
  made = fs.mkdtempSync(path.join(path.resolve(os.tmpdir()), 'setup-nova-dpm-'))
  return made
}

/** A tool's output or an error that says the disk is full (errno 28 in Python's words and Node's, or a quota). */
export function saysNoSpace(text: string): boolean {
  return /\bENOSPC\b|\bEDQUOT\b|No space left on device|\[Errno 28\]|Disk quota exceeded/.test(text)
}

/** Less than this free on a file system after a tool failed there: the disk was full when it failed. */
const NEARLY_FULL_BYTES = 1024 * 1024

/**
 * The first of `dirs` whose file system has (almost) no space left, for a
 * tool that failed without saying why: `python -m venv` hides ensurepip's
 * "[Errno 28] No space left on device" behind its exit status.
 */
export function fullFileSystem(dirs: string[]): string | undefined {
  return dirs.find(dir => {
    try {
      const stats = fs.statfsSync(existingAncestor(dir))
      return stats.bavail * stats.bsize < NEARLY_FULL_BYTES
    } catch {
      return false
    }
  })
}

function existingAncestor(dir: string): string {
  let at = path.resolve(dir)
  while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at)
  return at
}

/**
 * Why `dir` (or something in it) could not be made or written, in the file
 * system's terms: full, read-only, not writable by this user, or a file.
 * Node reports a recursive mkdir below a read-only directory as ENOENT, so
 * the nearest existing ancestor is what is asked.
 */
export function whyNotWritable(dir: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  if (saysNoSpace(`${(error as NodeJS.ErrnoException).code ?? ''} ${message}`)) return `no space left on the file system of ${shown(dir)}`
  const at = existingAncestor(dir)
  try {
    fs.accessSync(at, fs.constants.W_OK)
  } catch (problem) {
    const code = (problem as NodeJS.ErrnoException).code
    if (code === 'EROFS') return `${shown(at)} is on a read-only file system`
    if (code === 'EACCES' || code === 'EPERM') return `${shown(at)} is not writable by this user`
  }
  if (!fs.statSync(at).isDirectory()) return `${shown(at)} is a file, not a directory`
  return shown(message)
}
