import * as fs from 'node:fs'
import * as path from 'node:path'
import { ActionError } from '../errors.js'
import { shown } from '../log/escape.js'

/** Far above any real constraints or requirements file (upper-constraints is ~30 KiB), far below trouble. */
export const MAX_TEXT_FILE_BYTES = 4 * 1024 * 1024

const CHUNK = 64 * 1024

/**
 * Reads a text file a user named. Only a regular file (or a symlink to one)
 * is read: a FIFO would block the run, /dev/zero would never end, a
 * directory says nothing useful. The file is opened non-blocking and checked
 * through its open descriptor, so no FIFO can hold the open and nothing can
 * swap the file between the check and the read. Reads stop past the limit
 * whatever the size claims (/proc files claim 0). A file that is not text is
 * refused without quoting it.
 */
export function readTextFile(file: string, what: string): string {
  const named = `${what} '${shown(file)}'`
  let fd: number
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0))
  } catch (error) {
    throw new ActionError(`${named} ${openProblem(file, error as NodeJS.ErrnoException)}`)
  }
  try {
    const stat = fs.fstatSync(fd)
    if (!stat.isFile()) throw new ActionError(`${named} is ${kindOf(stat)}, not a regular file. Name the text file itself.`)
    const tooLarge = new ActionError(
      `${named} is larger than ${MAX_TEXT_FILE_BYTES / 1024 / 1024} MiB, too large for this kind of file. Check that it is the file meant.`
    )
    if (stat.size > MAX_TEXT_FILE_BYTES) throw tooLarge
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const chunk = Buffer.alloc(CHUNK)
      const n = fs.readSync(fd, chunk, 0, CHUNK, null)
      if (n === 0) break
      chunks.push(chunk.subarray(0, n))
      total += n
      if (total > MAX_TEXT_FILE_BYTES) throw tooLarge
    }
    const text = decodeText(Buffer.concat(chunks))
    if (text === undefined) throw new ActionError(`${named} is not a text file (not UTF-8, or it holds NUL bytes). Name the text file meant.`)
    return text
  } catch (error) {
    if (error instanceof ActionError) throw error
    throw new ActionError(`${named} could not be read: ${shown((error as Error).message)}.`)
  } finally {
    fs.closeSync(fd)
  }
}

/** UTF-8 text without NUL bytes (a leading byte-order mark dropped), or undefined. */
export function decodeText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

function openProblem(file: string, error: NodeJS.ErrnoException): string {
  const relative = path.isAbsolute(file) ? '' : ` (a relative path starts from '${shown(process.cwd())}')`
  switch (error.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return `does not exist. Check the path${relative}.`
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied. Make it readable by the runner, or name another file.'
    case 'ENXIO':
      return 'is a socket, not a regular file. Name the text file itself.'
    case 'ELOOP':
      return 'is a symbolic link that loops. Name the text file itself.'
    default:
      return `could not be opened: ${shown(error.message)}.`
  }
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory'
  if (stat.isFIFO()) return 'a named pipe (FIFO)'
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device'
  if (stat.isSocket()) return 'a socket'
  return 'not a regular file'
}
