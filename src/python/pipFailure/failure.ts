import { shown } from '../../log/escape.js'

export type PipFailureKind =
  | 'index-unreachable'
  | 'index-http-error'
  | 'authentication'
  | 'no-such-distribution'
  | 'no-matching-version'
  | 'constraint-conflict'
  | 'build-failure'
  | 'python-version'
  | 'git-fetch'
  | 'not-a-project'
  | 'broken-distribution'
  | 'no-space'
  | 'pip-too-old'
  | 'unknown'

export interface PipFailureContext {
  /** What pip was asked to install (already redacted). */
  requirements: string[]
  /** The constraints text handed to pip, to name the conflicting line. */
  constraints?: string
  pythonVersion: string
  pipVersion: string
  /** A sentence: the interpreter is outside the series' tested Pythons. */
  untestedPython?: string
  /** Normalized project name -> what to do when the index lacks it (a service's release of an old series). */
  missingAdvice?: Record<string, string>
  /**
   * The text of pip's `--log` file. pip reports an index's HTTP errors and
   * failed connections (with `--retries 0`, or a 4xx/5xx) only at debug level,
   * which the console never shows; and with `--log` given, a build's output
   * goes there instead of the console. Without it those classes degrade to
   * what the console says.
   */
  log?: string
}

export interface PipFailure {
  kind: PipFailureKind
  message: string
}

/** pip's words, quoted for the annotation: escaped, and cut where a line runs on. */
export function quote(value: string): string {
  const cut = value.length > 300 ? `${value.slice(0, 300)}…` : value
  return `"${shown(cut)}"`
}

/** The advice for a project the index lacks, when the run has some. */
export function withMissingAdvice(message: string, project: string, context: PipFailureContext): string {
  const advice = context.missingAdvice?.[project]
  return advice ? `${message} ${advice}` : message
}

export function withUntested(message: string, context: PipFailureContext): string {
  return context.untestedPython ? `${message} ${context.untestedPython}` : message
}
