import { ActionError } from '../errors.js'
import { shown } from '../log/escape.js'

/**
 * The packages the action installs, with the releases each made for each
 * series. Source: the release tags of opendev.org/x/nova-dpm and
 * x/networking-dpm (shared facts: nova-dpm 1.0.0 2017-02-23 Ocata, 2.0.0
 * 2017-08-30 Pike, 3.0.0 2018-02-27 Queens; networking-dpm 1.0.0, 2.0.0,
 * 2.0.1 2018-04-24 on stable/pike, 3.0.0). No later series was released.
 */
export const PACKAGES = {
  'nova-dpm': {
    /** Import name (setup.cfg `packages`). */
    module: 'nova_dpm',
    releases: { ocata: ['1.0.0'], pike: ['2.0.0'], queens: ['3.0.0'] }
  },
  'networking-dpm': {
    module: 'networking_dpm',
    releases: { ocata: ['1.0.0'], pike: ['2.0.0', '2.0.1'], queens: ['3.0.0'] }
  }
} as const satisfies Record<string, { module: string; releases: Record<string, readonly string[]> }>

export type PackageName = keyof typeof PACKAGES
export const PACKAGE_NAMES = Object.keys(PACKAGES) as PackageName[]

/**
 * Both packages import pbr at run time, and pbr imports `pkg_resources`
 * (shared facts), which a new venv on Python 3.12+ lacks and setuptools 82
 * removed: such an environment gets `setuptools<82` alongside.
 */
export const RUNTIME_PKG_RESOURCES = 'setuptools<82'

/** The major a package released for a series, if it released one. */
export function majorOf(pkg: PackageName, series: string): number | undefined {
  const releases = (PACKAGES[pkg].releases as Record<string, readonly string[]>)[series]
  return releases ? Number(releases[0].split('.')[0]) : undefined
}

export interface Series {
  /** Name used in branch names and constraints URLs: `queens`, `2023.1`. */
  name: string
  /** Code name of numbered series: `antelope` for 2023.1. */
  codename?: string
  /**
   * Python versions the series gated on: Ocata to Queens ran on Python 2.7
   * and 3.5 (shared facts; nova-dpm's classifiers and tox envs py27, py35).
   * Governance lists tested runtimes per series only from Stein on.
   */
  pythons?: readonly string[]
}

/** Every OpenStack series, oldest first (openstack/releases, via the shared facts). */
export const SERIES: readonly Series[] = [
  ...['austin', 'bexar', 'cactus', 'diablo', 'essex', 'folsom', 'grizzly', 'havana', 'icehouse', 'juno', 'kilo', 'liberty', 'mitaka', 'newton'].map(
    name => ({ name })
  ),
  { name: 'ocata', pythons: ['2.7', '3.5'] },
  { name: 'pike', pythons: ['2.7', '3.5'] },
  { name: 'queens', pythons: ['2.7', '3.5'] },
  ...['rocky', 'stein', 'train', 'ussuri', 'victoria', 'wallaby', 'xena', 'yoga', 'zed'].map(name => ({ name })),
  { name: '2023.1', codename: 'antelope' },
  { name: '2023.2', codename: 'bobcat' },
  { name: '2024.1', codename: 'caracal' },
  { name: '2024.2', codename: 'dalmatian' },
  { name: '2025.1', codename: 'epoxy' },
  { name: '2025.2', codename: 'flamingo' },
  { name: '2026.1', codename: 'gazpacho' },
  { name: '2026.2', codename: 'hibiscus' },
  { name: '2027.1', codename: 'indri' }
]

/** The development branch, accepted wherever a series name is. */
export const MASTER = 'master'

/** Series for which every one of `packages` has a PyPI release, oldest first. */
export function releasedSeries(packages: readonly PackageName[] = PACKAGE_NAMES): Series[] {
  return SERIES.filter(s => packages.every(p => majorOf(p, s.name) !== undefined))
}

/**
 * Finds a series by name or code name, case-insensitively; `master` is a
 * series of its own. An unknown name fails with the closest known one.
 */
export function findSeries(input: string): Series {
  const wanted = input.trim().toLowerCase()
  if (wanted === MASTER) return { name: MASTER }
  const found = SERIES.find(s => s.name === wanted || s.codename === wanted)
  if (found) return found
  const names = [MASTER, ...SERIES.flatMap(s => (s.codename ? [s.name, s.codename] : [s.name]))]
  const closest = closestName(wanted, names)
  throw new ActionError(
    `Input 'release' has an unknown OpenStack series '${shown(input)}'.` +
      (closest ? ` Did you mean '${closest}'?` : '') +
      ` Use a series name such as ${releasedSeries()
        .map(s => `'${s.name}'`)
        .join(', ')} or 'master'.`
  )
}

/** The closest name by edit distance, if it is close enough to be a likely typo. */
export function closestName(input: string, names: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const name of names) {
    const d = editDistance(input, name)
    if (d < bestDistance) {
      best = name
      bestDistance = d
    }
  }
  return bestDistance <= Math.max(2, Math.floor(input.length / 3)) ? best : undefined
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]
}
