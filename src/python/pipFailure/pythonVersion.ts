import { type PipFailure, type PipFailureContext, quote } from './failure.js'
import { LINK_OTHER_PYTHON, PACKAGE_OTHER_PYTHON_18 } from './log.js'
import { IGNORED_VERSIONS, REQUIRES_PYTHON, REQUIRES_PYTHON_18, lastNotFound } from './output.js'
import { type PipText, fileProject, normalized } from './text.js'

/** A distribution whose Requires-Python excludes this interpreter. */
export function pythonVersion(text: PipText, context: PipFailureContext): PipFailure | undefined {
  const metadata = text.first(REQUIRES_PYTHON) ?? text.first(REQUIRES_PYTHON_18)
  if (metadata) return pythonFailure(metadata[1], metadata[2], metadata[0], context)
  const ignored = text.first(IGNORED_VERSIONS)
  const missing = lastNotFound(text)
  if (ignored && missing) {
    return pythonFailure(missing.name, undefined, ignored[0].replace(/^ERROR: /, ''), context)
  }
  // Older pips say so only in their debug log.
  if (missing && missing.versions.length === 0) {
    for (const m of text.every(LINK_OTHER_PYTHON)) {
      if (fileProject(m[3]) === normalized(missing.name)) return pythonFailure(missing.name, m[2], m[0], context)
    }
    for (const m of text.every(PACKAGE_OTHER_PYTHON_18)) {
      if (fileProject(m[1]) === normalized(missing.name)) return pythonFailure(missing.name, m[2], m[0], context)
    }
  }
  return undefined
}

function pythonFailure(name: string, range: string | undefined, said: string, context: PipFailureContext): PipFailure {
  // A file's URL says no more than its name does.
  const short = said.replace(/^ERROR: /, '').replace(/\S+\/([^/\s#]+)#\S+/g, '$1').replace(/ \(from [^)]*\)/g, '')
  const needs = range ? `needs Python ${range}` : 'has no version for this Python'
  return {
    kind: 'python-version',
    message:
      `${quote(name)} ${needs}, and this interpreter is Python ${context.pythonVersion} (pip: ${quote(short)}). Use a Python the release ` +
      `supports (input 'python'), or a version of ${quote(name)} that still supports Python ${context.pythonVersion}.`
  }
}
