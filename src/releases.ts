import { ActionError } from './errors.js'

export const PACKAGES = ['nova-dpm', 'networking-dpm'] as const
export type PackageName = (typeof PACKAGES)[number]

/** Python module each distribution installs (from each project's setup.cfg). */
export const MODULE_OF: Record<PackageName, string> = {
  'nova-dpm': 'nova_dpm',
  'networking-dpm': 'networking_dpm'
}

export interface Series {
  /** Name used in branch names and constraints URLs: `queens`, `2023.1`. */
  name: string
  /** Code name of numbered series: `antelope` for 2023.1. */
  codename?: string
  /**
   * Major version of nova-dpm and networking-dpm released for this series.
   * Source: the release tags of openstack/nova-dpm and openstack/networking-dpm
   * (1.0.0 2017-02, 2.0.0 2017-08, 3.0.0 2018-02); both projects moved to
   * opendev.org/x/ in 2019 and never tagged a later series.
   */
  major?: number
  /**
   * Python versions the series was tested on. Ocata to Queens gated on Ubuntu
   * Xenial with 2.7 and 3.5 (governance goal pike/python35; nova-dpm's own
   * classifiers); governance lists tested runtimes per series only from Stein.
   */
  pythons?: string[]
}

/** Every OpenStack series, oldest first (openstack/releases data/series_status.yaml). */
export const SERIES: readonly Series[] = [
  { name: 'austin' },
  { name: 'bexar' },
  { name: 'cactus' },
  { name: 'diablo' },
  { name: 'essex' },
  { name: 'folsom' },
  { name: 'grizzly' },
  { name: 'havana' },
  { name: 'icehouse' },
  { name: 'juno' },
  { name: 'kilo' },
  { name: 'liberty' },
  { name: 'mitaka' },
  { name: 'newton' },
  { name: 'ocata', major: 1, pythons: ['2.7', '3.5'] },
  { name: 'pike', major: 2, pythons: ['2.7', '3.5'] },
  { name: 'queens', major: 3, pythons: ['2.7', '3.5'] },
  { name: 'rocky' },
  { name: 'stein' },
  { name: 'train' },
  { name: 'ussuri' },
  { name: 'victoria' },
  { name: 'wallaby' },
  { name: 'xena' },
  { name: 'yoga' },
  { name: 'zed' },
  { name: '2023.1', codename: 'antelope' },
  { name: '2023.2', codename: 'bobcat' },
  { name: '2024.1', codename: 'caracal' },
  { name: '2024.2', codename: 'dalmatian' },
  { name: '2025.1', codename: 'epoxy' },
  { name: '2025.2', codename: 'flamingo' },
  { name: '2026.1', codename: 'gazpacho' },
  { name: '2026.2', codename: 'hibiscus' }
]

/** The development branch, accepted wherever a series name is. */
export const MASTER = 'master'

/** Series that have a PyPI release of the packages, oldest first. */
export function releasedSeries(): Series[] {
  return SERIES.filter(s => s.major !== undefined)
}

/**
 * Finds a series by name or code name, case-insensitively. Returns `master`
 * as a series of its own. Unknown names fail with the closest known one.
 */
export function findSeries(input: string): Series {
  const wanted = input.trim().toLowerCase()
  if (wanted === MASTER) return { name: MASTER }
  const found = SERIES.find(s => s.name === wanted || s.codename === wanted)
  if (found) return found
  const names = [MASTER, ...SERIES.flatMap(s => (s.codename ? [s.name, s.codename] : [s.name]))]
  const closest = closestName(wanted, names)
  throw new ActionError(
    `Input 'release' has an unknown OpenStack series '${input}'.` +
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
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)
      )
    }
    previous = current
  }
  return previous[b.length]
}
