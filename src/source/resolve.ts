import { resolveGitRef } from '../io/git.js'
import type { GitTarget } from '../io/gitFetch.js'
import type { NetworkSettings } from '../io/retry.js'
import type { TransportRule } from '../io/transport.js'
import { gitRequirement, releaseRequirement, type Plan } from './plan.js'

export interface Source {
  name: string
  /** What pip is asked for, as the report, the outputs and the cache key show it. */
  requirement: string
  /** The commit installed (git modes), '' in release mode. */
  commit: string
  /**
   * A repository across the network: the action fetches only what pbr needs
   * of its history into a directory, which pip is given instead of `requirement`.
   */
  checkout?: GitTarget
}

/** Turns the plan into one pip requirement per package, each git ref pinned to its commit. */
export function resolveSources(plan: Plan, network: NetworkSettings, rule: TransportRule): Promise<Source[]> {
  return Promise.all(
    plan.packages.map(async (pkg): Promise<Source> => {
      if (!pkg.git) return { name: pkg.name, requirement: releaseRequirement(pkg), commit: '' }
      const { repository } = pkg.git
      const { ref, sha, refs } = await resolveGitRef(repository, pkg.git.refs, plan.series.name, network, rule)
      const source = { name: pkg.name, requirement: gitRequirement(pkg.name, repository, sha), commit: sha }
      return acrossNetwork(repository) ? { ...source, checkout: { repository, ref, sha, refs } } : source
    })
  )
}

/**
 * Whether git reaches the repository across a network: a URL of https, http
 * or ssh, or ssh's `user@host:path`. pip's clone of a path or file:// URL
 * copies on this machine, and stays as it was.
 */
export function acrossNetwork(repository: string): boolean {
  if (/^(https?|ssh):\/\//i.test(repository)) return true
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(repository) && /^[^/]+@[^/:]+:/.test(repository)
}
