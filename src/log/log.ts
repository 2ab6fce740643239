import { randomUUID } from 'node:crypto'
import * as core from '@actions/core'
import { shown } from './escape.js'
import { redact } from './secrets.js'

/**
 * Log lines that the runner can never take for workflow commands. Values in
 * messages go through `shown()` first, so a message holds no line break of
 * theirs; a line that still starts with `::` (a value at its start) is
 * written with the runner's command processing stopped around it.
 */
export function info(message: string): void {
  if (!/^\s*::/m.test(message)) return core.info(message)
  const resume = stopCommands()
  core.info(message)
  resume()
}

/**
 * Switches workflow commands off until the returned function is called:
 * whatever is printed meanwhile (a child's output, a file's lines) is shown as
 * text. The token is random so that nothing printed can switch them back on.
 */
export function stopCommands(): () => void {
  const token = randomUUID()
  core.info(`::stop-commands::${token}`)
  return () => core.info(`::${token}::`)
}

const warned: string[] = []

/**
 * A warning annotation, also kept for the job summary: a matrix's annotations
 * are scattered over its jobs, and each job's page should list its own.
 */
export function warning(message: string): void {
  warned.push(shown(redact(message)))
  core.warning(message)
}

/** The warnings this run printed so far, escaped and with credentials hidden, in order. */
export function warningsSoFar(): readonly string[] {
  return warned
}

// Annotations and group titles are escaped by the toolkit itself (%, CR, LF).
export const { notice, debug, group } = core
