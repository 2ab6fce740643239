import { redact } from './inputs.js'
import type { Plan } from './plan.js'
import { releasedSeries } from './releases.js'

/** pip's arguments; the user's own pip configuration (PIP_*, pip.conf) still applies. */
export function pipInstallArgs(requirement: string, constraintsFile: string | undefined, indexUrl: string | undefined, extra: string[] = []): string[] {
  return [
    'install',
    ...(constraintsFile ? ['--constraint', constraintsFile] : []),
    ...(indexUrl ? ['--index-url', indexUrl] : []),
    ...extra,
    requirement
  ]
}

/** name (normalized) -> version of the installed distributions. */
export type Installed = Record<string, string>

/**
 * What a failed pip run left behind, so that nobody mistakes a half-changed
 * environment for the one asked for.
 */
export function describeLeftovers(before: Installed, after: Installed, pkg: string): string {
  const changed = Object.keys(after)
    .filter(name => before[name] !== after[name])
    .sort()
    .map(name => (before[name] ? `${name} ${before[name]} -> ${after[name]}` : `${name} ${after[name]}`))
  const removed = Object.keys(before).filter(name => !(name in after))
  if (changed.length === 0 && removed.length === 0) return 'pip changed nothing; the environment is as it was.'
  const parts = [
    changed.length ? `pip installed or changed ${changed.join(', ')} before it stopped` : '',
    removed.length ? `removed ${removed.sort().join(', ')}` : '',
    pkg in after ? '' : `${pkg} is not installed`
  ].filter(Boolean)
  return `${parts.join('; ')}. Re-running the step after fixing the cause completes the install.`
}

/**
 * One sentence for the failure annotation: pip's own reason, translated where
 * we know what the user should do. The full log is in the install group.
 * `pythonHint` (the interpreter is outside the series' tested Pythons) is
 * added where a too-new Python is a likely cause: builds and unknown failures,
 * not a request that simply cannot match.
 */
export function explainPipFailure(output: string, plan: Plan, pythonHint?: string): string {
  const likely = pythonHint ? ` Likely cause: ${pythonHint}` : ''
  // pip's own ERROR lines and the error/fatal lines of the tools it ran (git),
  // without pip's "a subprocess failed, see above" boilerplate.
  const lastErrors = output
    .split('\n')
    .map(l => l.trim())
    .filter(l => /^(ERROR|error|fatal):/.test(l) && !/subprocess-exited-with-error|See above for output|originates from a subprocess/.test(l))
    .map(l => l.replace(/^(ERROR|error|fatal):\s*/, ''))
  const reason = redact(lastErrors.slice(-2).join(' ') || output.trim().split('\n').slice(-3).join(' '))
  const ref = plan.git ? `${plan.mode === 'master' ? 'master' : `${plan.series}'s stable branch`} of ${redact(plan.git.repository)}` : ''
  if (/neither 'setup\.py' nor 'pyproject\.toml'|does not appear to be a Python project/i.test(output)) {
    const releases = releasedSeries()
      .map(s => s.name)
      .join(', ')
    return `${plan.package} is retired at ${ref}: it holds no Python project (only a README). Use 'mode: release' (or 'mode: stable') with one of ${releases}.`
  }
  if (plan.git && /Cloning |git (clone|fetch|checkout)/.test(output) && /fetch failed|unable to access|Unable to find \S+ under|did not match any file|could not read from remote/i.test(output)) {
    return `pip could not fetch ${ref} from git: ${reason} Check 'repository' and that the git server is reachable, then re-run.`
  }
  if (/installing build dependencies|install build dependencies did not run successfully/i.test(output)) {
    return `pip could not install the build requirements of ${plan.package} (such as setuptools, wheel or pbr) from the package index: ${reason} Make sure the index (input 'index-url' or your pip configuration) serves them.${likely}`
  }
  if (/No matching distribution found/i.test(output)) {
    const wanted = plan.release ? `'${plan.release.requirement}'` : 'a requirement'
    return `pip found no distribution for ${wanted} on the package index: ${reason} Check 'version', 'index-url' and the constraints for this release.`
  }
  if (/ResolutionImpossible|conflicting dependencies/i.test(output)) {
    const conflict = output.match(/The conflict is caused by:[\s\S]*?(?=\n\s*\n|To fix)/)?.[0]
    return `pip could not satisfy ${plan.package} together with the constraints: ${redact((conflict ?? reason).replace(/\s+/g, ' '))}`
  }
  return `pip install failed: ${reason}${likely}`
}
