import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import semver from 'semver'
import { ActionError } from './errors.js'
import type { Config, Mode } from './inputs.js'
import { MODULE_OF, releasedSeries, type PackageName } from './releases.js'
import { majorRange, toPep440 } from './versionRange.js'

export const CONSTRAINTS_HOST = 'https://releases.openstack.org/constraints/upper'

export type ConstraintsSource = { kind: 'none' } | { kind: 'url'; url: string } | { kind: 'file'; path: string }

/** What to install, derived from the config alone: no I/O. */
export interface Plan {
  package: PackageName
  module: string
  series: string
  mode: Mode
  constraints: ConstraintsSource
  /** Release mode: the PyPI requirement and the range the result must lie in. */
  release?: { range: semver.Range; requirement: string }
  /** Git modes: where to look and which refs to try, best first. */
  git?: { repository: string; refs: string[] }
  /** Warnings about the request that do not stop it. */
  warnings: string[]
}

export function makePlan(config: Config): Plan {
  const { series, mode } = config
  const warnings: string[] = []
  const plan: Plan = {
    package: config.package,
    module: MODULE_OF[config.package],
    series: series.name,
    mode,
    constraints: constraintsSource(config),
    warnings
  }
  if (mode === 'release') {
    if (series.major === undefined) throw noReleaseError(config)
    const seriesRange = majorRange(series.major)
    const range = config.versionRange ?? seriesRange
    if (semver.minVersion(range) === null) {
      throw new ActionError(`Input 'version' range '${range.raw}' matches no version at all; check its bounds.`)
    }
    if (!semver.intersects(range, seriesRange)) {
      warnings.push(
        `Input 'version' range '${range.raw}' lies outside ${series.name}'s releases (${series.major}.x); pip will install it with ${series.name}'s constraints anyway.`
      )
    }
    plan.release = { range, requirement: `${config.package}${toPep440(range)}` }
  } else {
    plan.git = {
      repository: config.repository ?? `https://opendev.org/x/${config.package}`,
      refs: mode === 'master' ? ['refs/heads/master'] : [`refs/heads/stable/${series.name}`, `refs/tags/${series.name}-eol`]
    }
  }
  return plan
}

function constraintsSource(config: Config): ConstraintsSource {
  const c = config.constraints
  if (c.kind === 'default') return { kind: 'url', url: `${CONSTRAINTS_HOST}/${config.series.name}` }
  return c
}

function noReleaseError(config: Config): ActionError {
  const released = releasedSeries()
    .map(s => `${s.name} (${s.major}.x)`)
    .join(', ')
  return new ActionError(
    `${config.package} has no release for OpenStack ${config.series.name}: PyPI has releases for ${released} only. ` +
      `Pick one of those, use 'mode: stable' if ${config.series.name} has a stable branch, or 'release: master' for the development code.`
  )
}

/**
 * A pip VCS requirement for one commit. Pinning the sha makes the install
 * reproducible and lets pip cache the wheel it builds. The `#egg=` form, not
 * PEP 508's `name @ url`: pip before 23.3 rejects `name @ git+file:///...`.
 */
export function gitRequirement(pkg: PackageName, repository: string, sha: string): string {
  return `git+${repositoryUrl(repository)}@${sha}#egg=${pkg}`
}

/** pip needs a URL; a plain path to a repository becomes a file:// URL. */
export function repositoryUrl(repository: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repository) ? repository : pathToFileURL(path.resolve(repository)).href
}
