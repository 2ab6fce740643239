import { spawn, type ChildProcess } from 'node:child_process'
import * as core from '@actions/core'

export interface CommandResult {
  exitCode: number
  stdout: string
  stderr: string
}

const running = new Set<ChildProcess>()

/**
 * Runs a program with an argument list, never through a shell, so every
 * value is exactly one argument. Output is streamed to the log unless
 * `silent`, and always captured. Spawned directly rather than through
 * @actions/exec, which re-parses the program path as a command line and gives
 * no handle to stop the child when the job is cancelled.
 */
export function command(program: string, args: string[], options: { silent?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
  if (!options.silent) core.info(`[command]${[program, ...args].map(shown).join(' ')}`)
  return new Promise(resolve => {
    const child = spawn(program, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    running.add(child)
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk)
      if (!options.silent) process.stdout.write(chunk)
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk)
      if (!options.silent) process.stdout.write(chunk)
    })
    const finish = (exitCode: number, extra = '') => {
      running.delete(child)
      resolve({ exitCode, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() + extra })
    }
    child.on('error', error => finish(127, error.message))
    child.on('close', (code, signal) => finish(code ?? 128, signal ? `killed by ${signal}` : ''))
  })
}

/** Stops every program still running (the job was cancelled). */
export function stopAll(signal: NodeJS.Signals): void {
  for (const child of running) child.kill(signal)
}

function shown(arg: string): string {
  return /^[\w@%+=:,./<>-]+$/.test(arg) ? arg : JSON.stringify(arg)
}
