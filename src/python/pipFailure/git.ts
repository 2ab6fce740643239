import { type PipFailure, quote } from './failure.js'
import { CLONING, GIT_ERROR, GIT_FAILED, GIT_FATAL } from './output.js'
import type { PipText } from './text.js'

/** A git command pip ran for a `git+` requirement failed. */
export function gitFetch(text: PipText): PipFailure | undefined {
  if (!text.has(GIT_FAILED)) return undefined
  const reason = text.first(GIT_FATAL)?.[0] ?? text.first(GIT_ERROR)?.[0]
  const source = text.last(CLONING, text.console)
  const from = source ? `${source[1]}${source[2] ? ` at revision ${source[2]}` : ''}` : 'a git repository'
  return {
    kind: 'git-fetch',
    message:
      `pip could not fetch ${quote(from)} with git${reason ? `: git said ${quote(reason)}` : ''}. Check 'repository' (the URL) and that the ` +
      'branch or tag exists there, and that the git server is reachable from the runner; then re-run.'
  }
}
