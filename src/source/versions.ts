import * as pep440 from '@renovatebot/pep440'
import { parse as parseSpecifier } from '@renovatebot/pep440/lib/specifier.js'
import semver from 'semver'
import { ActionError } from '../errors.js'
import { shown } from '../log/escape.js'

/** Every release of one major, as a PEP 440 specifier: `>=3.0.0,<4.0.0`. */
export function majorSpecifier(major: number): string {
  return `>=${major}.0.0,<${major + 1}.0.0`
}

/**
 * The `version` input as a PEP 440 specifier set, the language pip and the
 * versions themselves speak. A PEP 440 specifier (`~=2.0`, `>=3,<4`,
 * `==4.0.0.dev1`) is taken as it is; otherwise the semver ranges the input
 * always accepted (`1.x`, `^2.0.1`, `~3.0`, `>=3.0.0 <3.1.0`, `4.0.0-dev1`)
 * are translated, pre-release tags included (`-dev1` is PEP 440's `.dev1`).
 */
export function parseVersionInput(input: string): string {
  const text = input.trim()
  if (pep440.validRange(text)) return text.replace(/\s+/g, '')
  let range: semver.Range
  try {
    range = new semver.Range(text)
  } catch {
    throw new ActionError(
      `Input 'version' is neither a PEP 440 specifier nor a semver range: '${shown(input)}'. Write it like '~=2.0', '>=3,<4', '1.x', '^2.0.1' or '>=3.0.0 <3.1.0'.`
    )
  }
  if (range.set.length !== 1) {
    throw new ActionError(
      `Input 'version' range '${shown(input)}' uses '||'; pip specifiers cannot express "either", so give a single range such as '>=2.0.0 <3.0.0'.`
    )
  }
  const parts = range.set[0].filter(c => c.value !== '').map(c => `${c.operator || '=='}${pep440Version(c.semver)}`)
  return parts.length ? parts.join(',') : '>=0'
}

/**
 * semver's `-0` bounds (which only keep pre-releases out) are dropped, since
 * PEP 440's `<V` already excludes V's pre-releases; other pre-release tags are
 * normalized the PEP 440 way (`4.0.0-dev1` → `4.0.0.dev1`).
 */
function pep440Version(v: semver.SemVer): string {
  const base = `${v.major}.${v.minor}.${v.patch}`
  if (v.prerelease.length === 0 || (v.prerelease.length === 1 && v.prerelease[0] === 0)) return base
  return pep440.clean(v.version) ?? v.version
}

/**
 * Whether an installed version lies in a specifier set. Pre-releases count:
 * pip installs one only when asked for it (or when nothing else exists), and
 * a development build of a branch (`3.0.1.dev3`) is in its major's range.
 */
export function inRange(version: string, specifier: string): boolean {
  return pep440.satisfies(version, specifier, { prereleases: true })
}

/**
 * Versions around every bound a specifier names: enough to tell whether it
 * matches anything at all, and whether it meets a given major.
 */
function probes(specifier: string, extra: string[]): string[] {
  const named = parseSpecifier(specifier)?.map(c => c.version) ?? []
  const around = [...named, ...extra].flatMap(v => {
    const release = (pep440.explain(v)?.release ?? [0]).concat([0, 0, 0]).slice(0, 3)
    const [a, b, c] = release
    return [v, `${a}.${b}.${c}`, `${a}.${b}.${c + 1}`, `${a}.${b + 1}.0`, `${a + 1}.0.0`, `${a}.${b}.${c}.post1`, `${a}.${b}.${c + 1}.dev1`]
  })
  return [...new Set(around)].filter(v => pep440.valid(v))
}

/** Whether no version at all satisfies the specifier (`>=3,<2`). */
export function matchesNothing(specifier: string): boolean {
  return !probes(specifier, ['0.0.0']).some(v => inRange(v, specifier))
}

/** Whether some version of `major` satisfies the specifier. */
export function meetsMajor(specifier: string, major: number): boolean {
  const majorRange = majorSpecifier(major)
  return probes(specifier, [`${major}.0.0`]).some(v => inRange(v, specifier) && inRange(v, majorRange))
}
