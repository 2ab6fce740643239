import { ActionError } from '../errors.js'
import { shown } from '../log/escape.js'

/** A check that a driver loads the way its service loads it, run when the service is installed beside it. */
export type LoadCheck =
  /**
   * `module` imports and its `attribute` is a class derived from `base` (`module:Class`).
   * `shim`: the module is one the driver installs inside the service's package, which an
   * editable install cannot provide (its checkout is on sys.path after the service's package).
   */
  | { kind: 'class'; module: string; attribute: string; base: string; shim?: boolean }
  /** The entry point `name` of `group`, registered by the driver's distribution, loads. */
  | { kind: 'entry-point'; group: string; name: string }
  /** A console script the driver's distribution installs is in the environment's scripts directory. */
  | { kind: 'script'; name: string }

export interface PackageFacts {
  /** A driver plugs into a service; a service is OpenStack's own (Nova, Neutron). */
  kind: 'driver' | 'service'
  /** Import name (setup.cfg `packages`). */
  module: string
  /** Where the code lives; `{package}` is the name. */
  home: string
  /** The newest release each series made, by series. */
  newest: Readonly<Record<string, string>>
  /** A driver: the service it plugs into, and how that service loads it. */
  plugsInto?: { service: 'nova' | 'neutron'; loads: readonly LoadCheck[] }
  /** A service published on PyPI only from this date: older releases may be missing there. */
  onPyPiSince?: string
}

/**
 * The packages the action installs, with the newest release of each series.
 * Drivers: the release tags of opendev.org/x/nova-dpm and x/networking-dpm
 * (shared facts: nova-dpm 1.0.0 2017-02-23 Ocata, 2.0.0 2017-08-30 Pike,
 * 3.0.0 2018-02-27 Queens; networking-dpm 1.0.0, 2.0.0, 2.0.1 2018-04-24 on
 * stable/pike, 3.0.0); no later series was released. Services: openstack/
 * releases `deliverables/<series>/{nova,neutron}.yaml` at 2026-08-21, the
 * last numbered release of each (2026.2 hibiscus has none yet).
 */
export const PACKAGES = {
  'nova-dpm': {
    kind: 'driver',
    module: 'nova_dpm',
    home: 'https://opendev.org/x/{package}',
    newest: { ocata: '1.0.0', pike: '2.0.0', queens: '3.0.0' },
    // nova-dpm's setup.cfg ships the shim nova/virt/dpm/driver.py that re-exports
    // DPMDriver, so that Nova's `compute_driver = dpm.driver.DPMDriver` finds it.
    plugsInto: {
      service: 'nova',
      loads: [
        { kind: 'class', module: 'nova_dpm.virt.dpm.driver', attribute: 'DPMDriver', base: 'nova.virt.driver:ComputeDriver' },
        { kind: 'class', module: 'nova.virt.dpm.driver', attribute: 'DPMDriver', base: 'nova.virt.driver:ComputeDriver', shim: true }
      ]
    }
  },
  'networking-dpm': {
    kind: 'driver',
    module: 'networking_dpm',
    home: 'https://opendev.org/x/{package}',
    newest: { ocata: '1.0.0', pike: '2.0.1', queens: '3.0.0' },
    // Neutron's ML2 plugin loads mechanism drivers through this entry point group; the agent is a console script.
    plugsInto: {
      service: 'neutron',
      loads: [
        { kind: 'entry-point', group: 'neutron.ml2.mechanism_drivers', name: 'dpm' },
        { kind: 'script', name: 'neutron-dpm-agent' }
      ]
    }
  },
  nova: {
    kind: 'service',
    module: 'nova',
    home: 'https://opendev.org/openstack/{package}',
    newest: {
      ocata: '15.1.5',
      pike: '16.1.8',
      queens: '17.0.13',
      rocky: '18.3.0',
      stein: '19.3.2',
      train: '20.6.1',
      ussuri: '21.2.4',
      victoria: '22.4.0',
      wallaby: '23.2.2',
      xena: '24.2.1',
      yoga: '25.3.0',
      zed: '26.3.0',
      '2023.1': '27.5.1',
      '2023.2': '28.3.1',
      '2024.1': '29.4.0',
      '2024.2': '30.3.0',
      '2025.1': '31.3.1',
      '2025.2': '32.2.1',
      '2026.1': '33.0.2'
    },
    // Nova went to PyPI from 2018-08-30 (shared facts): Ocata 15.1.4+, Pike 16.1.5+, Queens 17.0.6+.
    onPyPiSince: '2018-08-30'
  },
  neutron: {
    kind: 'service',
    module: 'neutron',
    home: 'https://opendev.org/openstack/{package}',
    newest: {
      ocata: '10.0.7',
      pike: '11.0.8',
      queens: '12.1.1',
      rocky: '13.0.7',
      stein: '14.4.2',
      train: '15.3.4',
      ussuri: '16.4.2',
      victoria: '17.4.1',
      wallaby: '18.6.0',
      xena: '19.7.0',
      yoga: '20.5.0',
      zed: '21.2.1',
      '2023.1': '22.2.1',
      '2023.2': '23.5.0',
      '2024.1': '24.2.2',
      '2024.2': '25.2.3',
      '2025.1': '26.0.5',
      '2025.2': '27.0.3',
      '2026.1': '28.0.1'
    },
    onPyPiSince: '2018-01-08'
  }
} as const satisfies Record<string, PackageFacts>

export type PackageName = keyof typeof PACKAGES
export const PACKAGE_NAMES = Object.keys(PACKAGES) as PackageName[]

/**
 * Both packages import pbr at run time, and pbr imports `pkg_resources`
 * (shared facts), which a new venv on Python 3.12+ lacks and setuptools 82
 * removed: such an environment gets `setuptools<82` alongside.
 */
export const RUNTIME_PKG_RESOURCES = 'setuptools<82'

/** The newest release a package made for a series, if it made one. */
export function newestOf(pkg: PackageName, series: string): string | undefined {
  return (PACKAGES[pkg].newest as Readonly<Record<string, string>>)[series]
}

/** The major a package released for a series, if it released one. */
export function majorOf(pkg: PackageName, series: string): number | undefined {
  const newest = newestOf(pkg, series)
  return newest ? Number(newest.split('.')[0]) : undefined
}

/** What the table says about a package, typed for reading. */
export function factsOf(pkg: PackageName): PackageFacts {
  return PACKAGES[pkg]
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
