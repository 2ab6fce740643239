import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import { shown } from '../log/escape.js'
import { redact } from '../log/secrets.js'

/**
 * The variable that marks every process the action starts. A child that
 * leaves a daemon in a session of its own (`setsid`, a double fork) leaves
 * its process group, so a signal to the group misses it; its environment
 * still carries the mark, unless it cleared it. Only Linux lets one process
 * read another's environment (/proc/PID/environ); elsewhere no process is
 * found by its mark, and only the process group is stopped.
 */
export const MARK_VARIABLE = 'SETUP_NOVA_DPM_PROCESS'

/** This run's part of every mark: another run of the action (a test's, a parallel job's) carries another one. */
const RUN = randomBytes(8).toString('hex')
let marks = 0

/** A mark for one child: `<run>.<n>`. */
export function newMark(): string {
  return `${RUN}.${++marks}`
}

/** What matches every mark of this run. */
export const RUN_MARK = `${RUN}.`

export interface Found {
  pid: number
  pgid: number
  ppid: number
  /** The program's name as the kernel keeps it (at most 15 characters). */
  name: string
}

/** Every process that is running (not a zombie), read from /proc; empty where there is none. */
export function processTable(): Found[] {
  let entries: string[]
  try {
    entries = fs.readdirSync('/proc')
  } catch {
    return []
  }
  const found: Found[] = []
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    const stat = readStat(Number(entry))
    if (stat) found.push(stat)
  }
  return found
}

/** pid, name, state, parent and group from /proc/PID/stat; undefined for a process gone or a zombie. */
function readStat(pid: number): Found | undefined {
  let text: string
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // The name is in parentheses and may itself hold ') ': the fields after it follow the last one.
  const close = text.lastIndexOf(')')
  const [state, ppid, pgid] = text.slice(close + 2).split(' ')
  if (state === 'Z' || state === 'X') return undefined
  return { pid, ppid: Number(ppid), pgid: Number(pgid), name: text.slice(text.indexOf('(') + 1, close) }
}

/** Whether a process is running (a zombie waiting for its parent to reap it is not). */
export function isRunning(pid: number): boolean {
  if (fs.existsSync('/proc/self/stat')) return readStat(pid) !== undefined
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Whether a process's environment carries the mark (a whole run's when `mark` is RUN_MARK). */
export function carriesMark(pid: number, mark: string): boolean {
  let environ: Buffer
  try {
    environ = fs.readFileSync(`/proc/${pid}/environ`)
  } catch {
    return false // gone, or another user's
  }
  const entry = `${MARK_VARIABLE}=${mark}`
  return environ
    .toString('latin1')
    .split('\0')
    .some(variable => (mark === RUN_MARK ? variable.startsWith(entry) : variable === entry))
}

/** The running processes that carry the mark. */
export function markedProcesses(mark: string, table: Found[] = processTable()): Found[] {
  return table.filter(p => p.pid !== process.pid && carriesMark(p.pid, mark))
}

/** Every process below `root` in the tree of parents, at any depth. */
export function descendants(root: number, table: Found[] = processTable()): Found[] {
  const below = new Set([root])
  const found: Found[] = []
  // Parents come before their children in no guaranteed order: repeat until nothing is added.
  for (let added = true; added; ) {
    added = false
    for (const p of table) {
      if (!below.has(p.pid) && below.has(p.ppid)) {
        below.add(p.pid)
        found.push(p)
        added = true
      }
    }
  }
  return found
}

/** A process for a message: its command line, shortened, escaped and without credentials. */
export function described(pid: number, fallback: string): string {
  let command = fallback
  try {
    command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') || fallback
  } catch {
    // gone meanwhile: its name will do
  }
  const short = command.length > 80 ? `${command.slice(0, 77)}...` : command
  return `'${shown(redact(short))}' (pid ${pid})`
}

/** Sends a signal, ignoring a process that is already gone. */
export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch {
    // gone
  }
}
