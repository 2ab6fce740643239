import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ActionError } from '../errors.js'
import { shown } from '../log/escape.js'

/**
 * The first line of every sample the action writes. As with the venv's
 * marker file, only what carries it is ever replaced. A first-line comment
 * rather than a file beside it: the mark travels with the file (a copy, a
 * move, a checkout), INI readers skip it, and deleting the line is how a user
 * makes the file theirs.
 */
export const SAMPLE_MARKER = '# Written by setup-nova-dpm (config-sample)'
const MARKER_LINE = `${SAMPLE_MARKER}, which rewrites this file on every run; delete this line to keep the file as your own.`
const FIX = "Set 'config-sample' to a new path, or delete what is there. The install itself succeeded."

type State = 'absent' | 'ours'

/**
 * Where the sample may go, before anything is generated: a new file, or one
 * that starts with the marker; never through a symbolic link. Inside the
 * workspace no directory on the way may be a link leaving it (a checked-in
 * `etc -> /etc`); a path outside the workspace is taken as named, since the
 * workflow spelled it out.
 */
export function checkSamplePath(file: string, workspace: string): State {
  checkParents(file, workspace)
  return stateOf(file)
}

/**
 * Writes the sample (marker first) into a temporary file beside the target,
 * then moves it into place: a new file by a hard link, which fails if
 * anything appeared at the path meanwhile; the action's own by a rename,
 * which replaces a link itself, never what it points to. A reader never sees
 * half a file.
 */
export function writeSample(file: string, workspace: string, text: string): void {
  const state = checkSamplePath(file, workspace)
  const dir = path.dirname(file)
  const temporary = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    makeDirectories(dir)
    // 'wx' is O_CREAT|O_EXCL: it makes a new file, and follows no link.
    fs.writeFileSync(temporary, `${MARKER_LINE}\n${text}`, { flag: 'wx', mode: 0o644 })
  } catch (error) {
    fs.rmSync(temporary, { force: true })
    throw new ActionError(`Could not write the sample configuration into ${shown(dir)} (${shown((error as Error).message)}). Set 'config-sample' to a path the runner can write. The install itself succeeded.`)
  }
  try {
    if (state === 'absent') {
      try {
        fs.linkSync(temporary, file)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
        stateOf(file)
        throw new ActionError(`Something appeared at the config-sample path ${shown(file)} while the sample was generated; the action leaves it untouched. ${FIX}`)
      }
    } else {
      // Checked again just before: the window left is the rename itself.
      stateOf(file)
      fs.renameSync(temporary, file)
    }
  } finally {
    fs.rmSync(temporary, { force: true })
  }
}

/** What is at the path itself: nothing, the action's own sample, or (an ActionError) anything else. */
function stateOf(file: string): State {
  let stat: fs.Stats
  try {
    stat = fs.lstatSync(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent'
    throw new ActionError(`The config-sample path ${shown(file)} cannot be checked (${shown((error as Error).message)}). ${FIX}`)
  }
  if (stat.isSymbolicLink()) {
    throw new ActionError(
      `The config-sample path ${shown(file)} is a symbolic link (to ${shown(fs.readlinkSync(file))}); the action never writes through a link. ${FIX}`
    )
  }
  if (!stat.isFile()) throw new ActionError(`The config-sample path ${shown(file)} is ${stat.isDirectory() ? 'a directory' : 'not a regular file'}. ${FIX}`)
  if (!startsWithMarker(file)) {
    throw new ActionError(
      `The config-sample path ${shown(file)} is a file the action did not write (its first line is not '${SAMPLE_MARKER}…'), so the action leaves it untouched. ${FIX}`
    )
  }
  return 'ours'
}

function startsWithMarker(file: string): boolean {
  let fd: number
  try {
    // O_NOFOLLOW: a link swapped in since the lstat is not followed.
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0))
  } catch {
    return false
  }
  try {
    const head = Buffer.alloc(Buffer.byteLength(SAMPLE_MARKER))
    const n = fs.fstatSync(fd).isFile() ? fs.readSync(fd, head, 0, head.length, 0) : 0
    return head.subarray(0, n).toString('utf8') === SAMPLE_MARKER
  } finally {
    fs.closeSync(fd)
  }
}

/** Inside the workspace, every directory on the way that exists is a directory, or a link that stays inside. */
function checkParents(file: string, workspace: string): void {
  if (!isInside(workspace, path.dirname(file))) return
  const relative = path.relative(workspace, path.dirname(file))
  const inside = realOrSelf(workspace)
  let at = workspace
  for (const part of relative.split(path.sep).filter(Boolean)) {
    at = path.join(at, part)
    let stat: fs.Stats
    try {
      stat = fs.lstatSync(at)
    } catch {
      return // the rest is made new
    }
    if (stat.isSymbolicLink()) {
      const target = realOrSelf(at)
      if (target === at || !isInside(inside, target)) {
        throw new ActionError(
          `The config-sample path ${shown(file)} goes through ${shown(at)}, a symbolic link to ${shown(fs.readlinkSync(at))}, which leads outside the workspace (or nowhere), so the action writes nothing there. ` +
            "Set 'config-sample' to a path that stays inside the workspace, or name the directory meant by its absolute path. The install itself succeeded."
        )
      }
    } else if (!stat.isDirectory()) {
      throw new ActionError(`The config-sample path ${shown(file)} goes through ${shown(at)}, which is a file, not a directory. ${FIX}`)
    }
  }
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p)
  } catch {
    return p
  }
}

/** Whether `child` is `parent` or below it, by their names. */
function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child)
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir never returns where
 * a parent answers ENOENT to mkdir while it exists (under /proc it spins).
 */
function makeDirectories(dir: string): void {
  const parent = path.dirname(dir)
  if (parent !== dir && !fs.existsSync(parent)) makeDirectories(parent)
  try {
    fs.mkdirSync(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
}
