import { spawn, type ChildProcess } from 'node:child_process'
import { shown } from '../log/escape.js'
import { info, stopCommands } from '../log/log.js'
import { redact } from '../log/secrets.js'

export interface RunOptions {
  /** What the program does, for the time-limit message: `pip install`, `git ls-remote`. */
  what: string
  /** Hard limit; at it the program and everything it started are killed. */
  timeoutMs: number
  /** Stream output to the log (inside a block where workflow commands are off); otherwise only captured. */
  stream?: boolean
  env?: NodeJS.ProcessEnv
  cwd?: string
}

export interface ProcessResult {
  exitCode: number
  /** Captured output; at most MAX_CAPTURED bytes of each stream, the last ones. */
  stdout: string
  stderr: string
  timedOut: boolean
}

/** Output kept per stream: enough for pip's error summary, bounded for a runaway child. */
const MAX_CAPTURED = 2 * 1024 * 1024
/** Between asking a process tree to stop and killing it. */
const GRACE_MS = 2000

const running = new Set<ChildProcess>()

/**
 * The one place child processes are started. Each runs in a process group of
 * its own, so that a time limit or a cancelled job stops the whole tree (pip's
 * build backends, git's helpers), not just the direct child. Arguments are a
 * list, never a shell line. Written on `child_process` rather than
 * `@actions/exec`, which re-parses the program path as a command line (a venv
 * path with spaces breaks) and gives neither a process group nor a time limit.
 */
export function runProcess(program: string, args: readonly string[], options: RunOptions): Promise<ProcessResult> {
  // Redacted here, not left to the runner's masks: pip's index and git URLs may carry credentials in any spelling.
  if (options.stream) info(`[command]${[program, ...args].map(arg => quoted(redact(arg))).join(' ')}`)
  const resume = options.stream ? stopCommands() : undefined
  return new Promise<ProcessResult>(resolve => {
    const child = spawn(program, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true
    })
    running.add(child)
    const stdout = new Tail()
    const stderr = new Tail()
    // The resume token must start a line of its own, or commands stay off.
    let lineOpen = false
    const show = (chunk: Buffer) => {
      process.stdout.write(chunk)
      lineOpen = chunk[chunk.length - 1] !== 0x0a
    }
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk)
      if (options.stream) show(chunk)
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk)
      if (options.stream) show(chunk)
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      stopTree(child, 'SIGTERM')
    }, options.timeoutMs)
    const finish = (exitCode: number, extra = '') => {
      clearTimeout(timer)
      running.delete(child)
      if (lineOpen) process.stdout.write('\n')
      resume?.()
      const limit = timedOut ? `\n${options.what} did not finish within ${Math.round(options.timeoutMs / 1000)} s and was stopped.` : ''
      resolve({ exitCode, stdout: stdout.text(), stderr: stderr.text() + extra + limit, timedOut })
    }
    child.on('error', error => finish(127, error.message))
    child.on('close', (code, signal) => finish(code ?? 128, signal && !timedOut ? `killed by ${signal}` : ''))
  })
}

function stopTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    return // already gone
  }
  if (signal !== 'SIGKILL') {
    setTimeout(() => {
      if (running.has(child)) stopTree(child, 'SIGKILL')
    }, GRACE_MS).unref()
  }
}

/** Stops every process tree still running: the job was cancelled. */
export function stopAll(signal: NodeJS.Signals): void {
  for (const child of running) stopTree(child, signal)
}

/** Whether any child is still running (for a cancellation to wait on). */
export function anyRunning(): boolean {
  return running.size > 0
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
