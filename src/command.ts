import * as exec from '@actions/exec'

/**
 * Runs a program with arguments, never through a shell. @actions/exec parses
 * its first argument as a command line, so the program's path is quoted to
 * stay one word even with spaces (paths with '"' are refused as inputs).
 * Output is streamed to the log unless `silent`, and always captured.
 */
export function command(program: string, args: string[], options: exec.ExecOptions = {}): Promise<exec.ExecOutput> {
  return exec.getExecOutput(`"${program}"`, args, { ignoreReturnCode: true, ...options })
}
