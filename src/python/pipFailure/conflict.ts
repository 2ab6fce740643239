import { type PipFailure, type PipFailureContext, quote } from './failure.js'
import { CANNOT_INSTALL, RESOLUTION_IMPOSSIBLE, causeNames, conflictCauses, lastNotFound } from './output.js'
import { type PipText, nameOf, normalized } from './text.js'

/** The requirements and the constraints cannot hold together. */
export function conflict(text: PipText, context: PipFailureContext): PipFailure | undefined {
  // The console only: pip's log holds the resolver's internal ResolutionImpossible for any unmet requirement.
  const resolver = text.console.some(line => RESOLUTION_IMPOSSIBLE.test(line))
  // The legacy resolver (pip < 20.3) names the constraints file in the requirement it could not satisfy.
  const missing = lastNotFound(text)
  const legacy = missing?.from.some(from => /^-c |\(line \d+\)/.test(from)) ? missing : undefined
  if (!resolver && !legacy) return undefined
  const causes = conflictCauses(text)
  const names = causeNames(causes)
  if (legacy) names.add(normalized(legacy.name))
  const pinned = constraintLines(context.constraints, names)
  const pins = pinned.length ? ` The constraints involved: ${pinned.map(p => `line ${p.line} ${quote(p.text)}`).join(', ')}.` : ''
  const cause = legacy
    ? `the constraints ask for ${quote(legacy.requirement)}, and the index has only ${legacy.versions.length ? legacy.versions.join(', ') : 'no version of it'}`
    : causes.length
      ? causes.map(quote).join('; ')
      : quote(text.last(CANNOT_INSTALL)?.[1] ?? 'ResolutionImpossible')
  return {
    kind: 'constraint-conflict',
    message:
      `pip cannot satisfy the requirements together with the constraints: ${cause}.${pins} Choose a version the release's constraints allow ` +
      "(inputs 'version' and 'requirements'), or other constraints (input 'constraints'; 'none' installs unconstrained)."
  }
}

function constraintLines(constraints: string | undefined, names: Set<string>): { line: number; text: string }[] {
  if (!constraints) return []
  return constraints
    .split(/\r?\n/)
    .map((text, i) => ({ line: i + 1, text: text.replace(/(^|\s)#.*$/, '').trim() }))
    .filter(({ text }) => {
      const name = nameOf(text)
      return name !== undefined && names.has(normalized(name))
    })
}
