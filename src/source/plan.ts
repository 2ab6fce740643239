import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ActionError } from '../errors.js'
import { MASTER, PACKAGES, majorOf, type PackageName, type Series } from './releases.js'
import { majorSpecifier, matchesNothing, meetsMajor } from './versions.js'

export const MODES = ['release', 'stable', 'master'] as const
export type Mode = (typeof MODES)[number]

/** releases.openstack.org redirects a series to its file in openstack/requirements (shared facts). */
export const CONSTRAINTS_HOST = 'https://releases.openstack.org/constraints/upper'

export type ConstraintsSource = { kind: 'none' } | { kind: 'url'; url: string } | { kind: 'file'; path: string }

export interface PackagePlan {
  name: PackageName
  module: string
  /** Release mode: the PEP 440 specifier the installed version must lie in. */
  specifier?: string
  /** Git modes: the repository and the refs to try, best first. */
  git?: { repository: string; refs: string[] }
}

/** What to install, derived from the request alone: no I/O. */
export interface Plan {
  series: Series
  mode: Mode
  packages: PackagePlan[]
  constraints: ConstraintsSource
  /** Warnings about the request that do not stop it. */
  warnings: string[]
}

export interface Request {
  series: Series
  mode: Mode
  packages: PackageName[]
  /** The `version` input as a PEP 440 specifier (one package only). */
  version?: string
  /** `repository` with `{package}`, or a plain location for one package; undefined: each package's home. */
  repository?: string
  /** undefined: the series' file on releases.openstack.org. */
  constraints?: ConstraintsSource
}

export function makePlan(request: Request): Plan {
  const { series, mode } = request
  const warnings: string[] = []
  const packages = request.packages.map((name): PackagePlan => {
    const module = PACKAGES[name].module
    if (mode !== 'release') {
      const refs = mode === 'master' ? ['refs/heads/master'] : [`refs/heads/stable/${series.name}`, `refs/tags/${series.name}-eol`]
      return { name, module, git: { repository: repositoryFor(request.repository ?? PACKAGES[name].home, name), refs } }
    }
    const major = majorOf(name, series.name)
    if (major === undefined) throw noReleaseError(name, series.name)
    const specifier = request.version ?? majorSpecifier(major)
    if (request.version !== undefined) {
      if (matchesNothing(specifier)) throw new ActionError(`Input 'version' '${specifier}' matches no version at all; check its bounds.`)
      if (!meetsMajor(specifier, major)) {
        warnings.push(
          `Input 'version' '${specifier}' lies outside ${series.name}'s releases of ${name} (${major}.x); pip will install it with ${series.name}'s constraints anyway.`
        )
      }
    }
    return { name, module, specifier }
  })
  return { series, mode, packages, constraints: request.constraints ?? { kind: 'url', url: `${CONSTRAINTS_HOST}/${series.name}` }, warnings }
}

export function repositoryFor(template: string, pkg: PackageName): string {
  return template.replaceAll('{package}', pkg)
}

function noReleaseError(pkg: PackageName, series: string): ActionError {
  const released = Object.keys(PACKAGES[pkg].newest)
    .map(s => `${s} (${majorOf(pkg, s)}.x)`)
    .join(', ')
  return new ActionError(
    `${pkg} has no release for OpenStack ${series}: PyPI has releases for ${released} only. ` +
      `Pick one of those, use 'mode: stable' if ${series} has a stable branch, or 'release: ${MASTER}' for the development code.`
  )
}

/** The requirement pip is given in release mode: `nova-dpm>=3.0.0,<4.0.0`. */
export function releaseRequirement(pkg: PackagePlan): string {
  return `${pkg.name}${pkg.specifier}`
}

/**
 * A pip VCS requirement for one commit. Pinning the sha makes the install
 * reproducible and lets pip cache the wheel it builds. The `#egg=` form, not
 * PEP 508's `name @ url`: pip before 23.3 rejects `name @ git+file:///...`.
 */
export function gitRequirement(pkg: PackageName, repository: string, sha: string): string {
  return `git+${repositoryUrl(repository)}@${sha}#egg=${pkg}`
}

/** pip needs a URL: a path becomes a file:// URL, git's scp-like `user@host:path` an ssh:// one. */
export function repositoryUrl(repository: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repository)) return repository
  const scp = repository.match(/^([^/@:]+@[^/:]+):(.*)$/)
  if (scp) return `ssh://${scp[1]}/${scp[2].replace(/^\//, '')}`
  return pathToFileURL(path.resolve(repository)).href
}

/**
 * A sentence when the interpreter is one the series' constraints cannot
 * install the packages on, with what to do. The era's gates ran 2.7 and 3.5
 * (Series.pythons). The drivers' closure is pure Python and installs up to
 * 3.9: Queens' `requests===2.18.4` fails on 3.10+ (collections.MutableMapping).
 * Nova and Neutron pin compiled packages of their time: cryptography before
 * 35 does not build against OpenSSL 3, greenlet 0.4 not on 3.9+ (shared
 * facts), so with them only the era's 2.7, 3.5 and 3.6 are advised.
 */
export function untestedPython(series: Series, packages: readonly PackageName[], version: { major: number; minor: number }): string | undefined {
  if (!series.pythons) return undefined
  const minor = `${version.major}.${version.minor}`
  const services = packages.filter(p => PACKAGES[p].kind === 'service')
  const fits = services.length > 0 ? ['2.7', '3.5', '3.6'].includes(minor) : minor === '2.7' || (version.major === 3 && version.minor >= 5 && version.minor <= 9)
  if (fits) return undefined
  const why =
    services.length > 0
      ? `${services.join(' and ')} of ${series.name} pin compiled packages of their time (cryptography before 35, greenlet 0.4) that do not build on Python ${minor}`
      : `its constraints pin packages of its time (requests 2.18.4 among them) that fail on Python ${minor}`
  const container = services.length > 0 ? 'python:2.7 or python:3.6' : 'python:2.7, or Python 3.9 or older'
  return (
    `OpenStack ${series.name} was tested on Python ${series.pythons.join(' and ')}; ${why}. ` +
    `GitHub-hosted runners no longer offer the era's Pythons through actions/setup-python: run the job in a container of that era (container: ${container}) and set 'python: /usr/local/bin/python'.`
  )
}
