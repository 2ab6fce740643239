import semver from 'semver'
import { ActionError } from './errors.js'

/** The semver range of every release of one major: `>=3.0.0 <4.0.0-0`. */
export function majorRange(major: number): semver.Range {
  return new semver.Range(`${major}.x`)
}

/** Parses the `version` input; a syntax error names the input and examples. */
export function parseRange(input: string): semver.Range {
  try {
    return new semver.Range(input)
  } catch {
    throw new ActionError(
      `Input 'version' is not a valid semver range: '${input}'. Write it like '1.x', '^2.0.1', '~3.0' or '>=3.0.0 <3.1.0'.`
    )
  }
}

/**
 * Writes a semver range as a PEP 440 specifier set. PEP 440 has no "or", so a
 * range with `||` is refused; semver's `-0` upper bounds (which only keep
 * pre-releases out) are dropped because PEP 440's `<V` already excludes
 * pre-releases of V.
 */
export function toPep440(range: semver.Range): string {
  if (range.set.length !== 1) {
    throw new ActionError(
      `Input 'version' range '${range.raw}' uses '||'; pip specifiers cannot express "either", so give a single range such as '>=2.0.0 <3.0.0'.`
    )
  }
  const parts = range.set[0]
    .filter(c => c.value !== '') // the comparator of '*' matches everything
    .map(c => `${c.operator || '=='}${withoutZeroPrerelease(c.semver)}`)
  return parts.join(',')
}

function withoutZeroPrerelease(v: semver.SemVer): string {
  const isZero = v.prerelease.length === 1 && v.prerelease[0] === 0
  return isZero ? `${v.major}.${v.minor}.${v.patch}` : v.version
}

/**
 * Whether an installed Python version lies in the range. Python versions that
 * are not semver (`3.0.1.dev4`) are compared by their first three numbers.
 */
export function versionSatisfies(installed: string, range: semver.Range): boolean {
  const v = semver.valid(installed) ?? semver.coerce(installed)?.version
  return v !== undefined && v !== null && semver.satisfies(v, range)
}
