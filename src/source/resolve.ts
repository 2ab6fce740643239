import { resolveGitRef } from '../io/git.js'
import type { NetworkSettings } from '../io/retry.js'
import type { TransportRule } from '../io/transport.js'
import { gitRequirement, releaseRequirement, type Plan } from './plan.js'

export interface Source {
  name: string
  /** What pip is given. */
  requirement: string
  /** The commit installed (git modes), '' in release mode. */
  commit: string
}

/** Turns the plan into one pip requirement per package, each git ref pinned to its commit. */
export function resolveSources(plan: Plan, network: NetworkSettings, rule: TransportRule): Promise<Source[]> {
  return Promise.all(
    plan.packages.map(async (pkg): Promise<Source> => {
      if (!pkg.git) return { name: pkg.name, requirement: releaseRequirement(pkg), commit: '' }
      const { sha } = await resolveGitRef(pkg.git.repository, pkg.git.refs, plan.series.name, network, rule)
      return { name: pkg.name, requirement: gitRequirement(pkg.name, pkg.git.repository, sha), commit: sha }
    })
  )
}
