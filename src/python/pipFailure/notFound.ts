import { type PipFailure, type PipFailureContext, quote, withMissingAdvice } from './failure.js'
import { FETCH_404, SKIPPED_LINK } from './log.js'
import { indexOf, lastNotFound } from './output.js'
import { isProjectPage } from './network.js'
import { type PipText, fileProject, nameOf, normalized } from './text.js'

/** The index has no such project, no version in the range, or no file for this Python. */
export function notFound(text: PipText, context: PipFailureContext): PipFailure | undefined {
  const missing = lastNotFound(text)
  if (!missing) return undefined
  const index = quote(indexOf(text) ?? 'the package index')
  const asked = context.requirements.some(r => nameOf(r) !== undefined && normalized(nameOf(r)!) === normalized(missing.name))
  const via = missing.from.length ? ` (required by ${missing.from.map(quote).join(', ')})` : asked ? '' : ' (a dependency of what was asked)'
  if (missing.versions.length > 0) {
    return {
      kind: 'no-matching-version',
      message:
        withMissingAdvice(
          `No version of ${quote(missing.name)} on ${index} matches ${quote(missing.requirement)}${via}; pip saw ${missing.versions.join(', ')}. ` +
            "Ask for a version that exists (inputs 'version' and 'requirements'), or use an index that has the one you need (input 'index-url').",
          normalized(missing.name),
          context
        )
    }
  }
  const unfit = text.every(SKIPPED_LINK).filter(m => fileProject(m[3] ?? m[4]) === normalized(missing.name))
  if (unfit.length > 0) {
    const tags = [...new Set(unfit.map(m => m[1] ?? m[2]).filter(Boolean))]
    return {
      kind: 'no-matching-version',
      message:
        `${index} has files of ${quote(missing.name)}${via}, but none installs on Python ${context.pythonVersion}` +
        `${tags.length ? ` (they are built for ${tags.map(quote).join(', ')})` : ''}. Use a version of ${quote(missing.name)} that ships a wheel ` +
        "or source archive for this Python (inputs 'version' and 'requirements'), or a Python its wheels are built for (input 'python')."
    }
  }
  // With pip's log at hand, a 404 for the project's page is proof; without it, pip's silence covers an index that did not answer too.
  const proven = text.every(FETCH_404).some(m => isProjectPage(m[1], missing.name))
  const unsure = context.log === undefined && !proven ? ' (or the index did not answer for it: pip says which only in its log)' : ''
  return {
    kind: 'no-such-distribution',
    message: withMissingAdvice(
      `There is no project ${quote(missing.name)} on ${index}${via}${unsure}. Check the name (a typo in 'requirements'?) and that 'index-url' ` +
        'or the pip configuration names the index that serves it.',
      normalized(missing.name),
      context
    )
  }
}
