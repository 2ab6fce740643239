import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { shown } from '../log/escape.js'
import { info, stopCommands } from '../log/log.js'
import { redact } from '../log/secrets.js'
import { described, descendants, isRunning, MARK_VARIABLE, markedProcesses, newMark, processTable, RUN_MARK, signal, type Found } from './processTable.js'

export interface RunOptions {
  /** What the program does, for the time-limit message: `pip install`, `git ls-remote`. */
  what: string
  /** Hard limit; at it the program and everything it started are killed. */
  timeoutMs: number
  /** Stream output to the log (inside a block where workflow commands are off); otherwise only captured. */
  stream?: boolean
  env?: NodeJS.ProcessEnv
  cwd?: string
  /**
   * Hand the standard output, as it comes, to `take` instead of capturing it,
   * up to `maxBytes`; beyond, the program is stopped. While a promise `take`
   * returns is pending, no more is read: the program waits on its pipe.
   */
  output?: { maxBytes: number; take: (chunk: Buffer) => Promise<void> | undefined }
  /** Fed to the standard input (otherwise none), or given it to write to; what the program does not read when it exits is dropped. */
  input?: Readable | ((stdin: Writable) => void)
}

export interface ProcessResult {
  exitCode: number
  /** Captured output; at most MAX_CAPTURED bytes of each stream, the last ones. */
  stdout: string
  stderr: string
  timedOut: boolean
  /** It wrote more than `output.maxBytes` and was stopped for it. */
  overflowed?: boolean
}

/** Output kept per stream: enough for pip's error summary, bounded for a runaway child. */
const MAX_CAPTURED = 2 * 1024 * 1024
/** Between asking a process tree to stop and killing it. */
const GRACE_MS = 2000
/** How long output is still read after the child exited: what it started may hold the pipes open for ever. */
const PIPE_GRACE_MS = 1500

interface Running {
  what: string
  mark: string
}
const running = new Map<ChildProcess, Running>()

/**
 * The one place child processes are started. Each runs in a process group of
 * its own, so that a time limit or a cancelled job stops the whole tree (pip's
 * build backends, git's helpers), not just the direct child, and carries a
 * mark in its environment (see processTable.ts), so that what it left in
 * other sessions is stopped too. A run ends when the child exits, not when
 * its output closes: a daemon it leaves behind may hold that open for ever.
 * Arguments are a list, never a shell line. Written on `child_process`
 * rather than `@actions/exec`, which re-parses the program path as a command
 * line (a venv path with spaces breaks) and gives neither a process group
 * nor a time limit.
 */
export function runProcess(program: string, args: readonly string[], options: RunOptions): Promise<ProcessResult> {
  // Redacted here, not left to the runner's masks: pip's index and git URLs may carry credentials in any spelling.
  if (options.stream) info(`[command]${[program, ...args].map(arg => quoted(redact(arg))).join(' ')}`)
  const resume = options.stream ? stopCommands() : undefined
  const mark = newMark()
  return new Promise<ProcessResult>(resolve => {
    // Typed by hand: with standard input chosen at run time, spawn's overloads no longer see that the outputs are pipes.
    const child = spawn(program, args, {
      env: { ...(options.env ?? process.env), [MARK_VARIABLE]: mark },
      cwd: options.cwd,
      stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: true
    }) as ChildProcessByStdio<Writable | null, Readable, Readable>
    if (options.input && child.stdin) {
      // A program that exits before reading it all closes the pipe: its exit status tells what happened, not EPIPE.
      child.stdin.on('error', () => undefined)
      if (typeof options.input === 'function') options.input(child.stdin)
      else options.input.pipe(child.stdin)
    }
    running.set(child, { what: options.what, mark })
    const stdout = new Tail()
    const stderr = new Tail()
    let handed = 0
    let overflow = ''
    // The resume token must start a line of its own, or commands stay off.
    let lineOpen = false
    const show = (chunk: Buffer) => {
      process.stdout.write(chunk)
      lineOpen = chunk[chunk.length - 1] !== 0x0a
    }
    child.stdout.on('data', (chunk: Buffer) => {
      if (options.output) {
        handed += chunk.length
        if (handed <= options.output.maxBytes) {
          // Paused, the program blocks on its pipe; once it exits, Node reads the rest of the pipe regardless, and nothing is lost.
          const taken = options.output.take(chunk)
          if (!taken) return
          child.stdout.pause()
          const goOn = () => child.stdout.resume()
          taken.then(goOn, goOn)
        } else if (!overflow) {
          overflow = `\n${options.what} wrote more than ${options.output.maxBytes} bytes and was stopped.`
          stopTree(child, mark, 'SIGTERM')
        }
        return
      }
      stdout.push(chunk)
      if (options.stream) show(chunk)
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk)
      if (options.stream) show(chunk)
    })
    let timedOut = false
    let leftBehind: string[] = []
    const timer = setTimeout(() => {
      timedOut = true
      leftBehind = stopTree(child, mark, 'SIGTERM')
    }, options.timeoutMs)
    let settled = false
    let pipeTimer: NodeJS.Timeout | undefined
    const finish = (exitCode: number, extra = '', note = '') => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(pipeTimer)
      running.delete(child)
      if (lineOpen) process.stdout.write('\n')
      resume?.()
      if (note) info(note)
      const limit = timedOut ? `\n${options.what} did not finish within ${Math.round(options.timeoutMs / 1000)} s and was stopped${heldBy(leftBehind)}.` : ''
      resolve({ exitCode: overflow && exitCode === 0 ? 1 : exitCode, stdout: stdout.text(), stderr: stderr.text() + extra + limit + overflow, timedOut, overflowed: overflow !== '' })
    }
    const status = (code: number | null, signal: NodeJS.Signals | null) => [code ?? 128, signal && !timedOut ? `killed by ${signal}` : ''] as const
    child.on('error', error => finish(127, error.message))
    child.on('exit', (code, signal) => {
      pipeTimer = setTimeout(() => {
        const left = markedProcesses(mark).map(p => described(p.pid, p.name))
        child.stdout.destroy()
        child.stderr.destroy()
        finish(
          ...status(code, signal),
          `${options.what} has exited${left.length ? `, leaving ${left.join(', ')} running` : ''}, and its output is still held open; ` +
            'the action stopped reading it and goes on.'
        )
      }, PIPE_GRACE_MS)
    })
    child.on('close', (code, signal) => finish(...status(code, signal)))
  })
}

/** The end of a time-limit message: what was stopped outside the child's process group, which may have held it. */
function heldBy(leftBehind: string[]): string {
  if (leftBehind.length === 0) return ''
  return `, and with it what it had left running outside its process group, which may have held it: ${leftBehind.join(', ')}`
}

/**
 * Signals a child's process group and every process carrying its mark, and
 * kills what is left after the grace; returns the marked processes found
 * outside the group.
 */
function stopTree(child: ChildProcess, mark: string, name: NodeJS.Signals): string[] {
  if (child.pid === undefined) return []
  const group = child.pid
  signal(-group, name)
  const outside = markedProcesses(mark).filter(p => p.pgid !== group)
  // Named before the signal, while their command lines are still there to read.
  const names = outside.map(p => described(p.pid, p.name))
  for (const p of outside) signal(p.pid, name)
  setTimeout(() => {
    // A group outlives its leader while a member lives; while it does, its number names no other group.
    if (running.has(child) || processTable().some(p => p.pgid === group)) signal(-group, 'SIGKILL')
    for (const p of markedProcesses(mark)) signal(p.pid, 'SIGKILL')
  }, GRACE_MS).unref()
  return names
}

export interface Stopped {
  /** What was stopped: the runner's names for its children (`pip install`), the kernel's for the rest (`tar`). */
  stopped: string[]
  /** What was still running after SIGKILL and the wait for it. */
  left: string[]
}

/**
 * Stops every process the action started, as far as it can know them: each
 * child's process group, what carries this run's mark (left in other
 * sessions), and whatever else runs below this process (a library's own
 * `tar`). SIGTERM first, SIGKILL after a second and a half, then a last
 * look. Synchronous, for a signal handler that must not let the rest of the
 * action run on meanwhile and report the killed processes' failures as its
 * own. Without /proc (not Linux), only the process groups are signalled and
 * nothing else can be found or checked.
 */
export function stopEverything(): Stopped {
  const groups = new Map([...running].filter(([child]) => child.pid !== undefined).map(([child, { what }]) => [child.pid!, what]))
  const targets = () => {
    const table = processTable()
    const found = new Map(markedProcesses(RUN_MARK, table).map(p => [p.pid, p]))
    for (const p of [...descendants(process.pid, table), ...table.filter(p => groups.has(p.pgid))]) found.set(p.pid, p)
    return [...found.values()]
  }
  const first = targets()
  const send = (name: NodeJS.Signals) => {
    for (const group of groups.keys()) signal(-group, name)
    for (const p of first) signal(p.pid, name)
  }
  send('SIGTERM')
  const gone = (deadline: number) => {
    while (first.some(p => isRunning(p.pid)) && Date.now() < deadline) sleepSync(50)
  }
  gone(Date.now() + 1500)
  send('SIGKILL')
  gone(Date.now() + 500)
  const name = (p: Found) => groups.get(p.pid) ?? p.name
  const left = first.filter(p => isRunning(p.pid))
  const stopped = first.length ? first.filter(p => !left.includes(p)).map(name) : [...groups.values()]
  return { stopped: counted(stopped), left: counted(left.map(name)) }
}

/** `pip install, python3 (2), sleep`: each name once, with how often it came. */
function counted(names: string[]): string[] {
  const counts = new Map<string, number>()
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1)
  return [...counts].map(([n, count]) => (count > 1 ? `${shown(n)} (${count})` : shown(n)))
}

/** Blocks the thread: a signal handler's bounded wait (see stopEverything). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

function quoted(arg: string): string {
  return /^[\w@%+=:,./<>-]+$/.test(arg) ? arg : JSON.stringify(shown(arg))
}

/** Keeps the last MAX_CAPTURED bytes of a stream. */
class Tail {
  private chunks: Buffer[] = []
  private size = 0
  private dropped = false

  push(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.size += chunk.length
    while (this.size > MAX_CAPTURED && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length
      this.dropped = true
    }
  }

  text(): string {
    return (this.dropped ? '[earlier output dropped]\n' : '') + Buffer.concat(this.chunks).toString()
  }
}
