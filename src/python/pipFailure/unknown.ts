import { type PipFailure, type PipFailureContext, quote, withUntested } from './failure.js'
import { ERROR_LINE, PIP_OWN, TRACEBACK, what } from './output.js'
import type { PipText } from './text.js'

/** Anything else: pip's own last error lines, or the exception it crashed with. */
export function unknown(text: PipText, context: PipFailureContext): PipFailure {
  const errors = text.console
    .filter(line => ERROR_LINE.test(line) && !PIP_OWN.test(line) && !/^ERROR: Exception:$/.test(line))
    .map(line => line.replace(/^(?:ERROR|error|fatal):\s*/, ''))
  // pip itself crashed: its traceback ends in the exception that says what broke.
  const traceback = text.console.lastIndexOf(TRACEBACK)
  const crash = traceback >= 0 ? text.last(/^[A-Za-z_][\w.]*: \S.*$/, text.console.slice(traceback))?.[0] : undefined
  const said = crash ? [...errors.slice(-1), crash] : errors.length ? errors.slice(-2) : text.console.filter(line => line !== '').slice(-2)
  const subject = what(text)
  const during = subject ? ` while installing ${quote(subject)}` : ''
  const reason = said.length ? `: ${said.map(quote).join(' ')}` : ' without saying why'
  return { kind: 'unknown', message: withUntested(`pip install failed${during}${reason}. The step's log above has pip's full output.`, context) }
}
