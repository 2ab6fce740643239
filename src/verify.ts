import { ActionError } from './errors.js'
import type { Plan } from './plan.js'
import { pip, runPython } from './python.js'
import { versionSatisfies } from './versionRange.js'

// Prints the distribution's version, then imports its module: one interpreter start for both.
const PROBE = `
import importlib, importlib.metadata as m, sys
try:
    print(m.version(sys.argv[1]), flush=True)
except m.PackageNotFoundError:
    sys.exit("not installed")
importlib.import_module(sys.argv[2])
`

/**
 * Proves the environment is usable: the distribution is installed, its
 * version is the one asked for, its dependencies are consistent, and its
 * module imports. Returns the installed version.
 */
export async function verifyInstall(python: string, plan: Plan): Promise<string> {
  // pip check is the slow part (it imports pip); it runs beside the probe.
  const [probe, check] = await Promise.all([runPython(python, PROBE, [plan.package, plan.module]), pip(python, ['check'])])
  const version = probe.stdout.trim()
  if (!version) {
    throw new ActionError(`${plan.package} is not installed in ${python} after pip ran: ${lastLine(probe.stderr)}`)
  }
  if (plan.release && !versionSatisfies(version, plan.release.range)) {
    throw new ActionError(
      `pip installed ${plan.package} ${version}, outside the range asked for (${plan.release.requirement}). A constraints pin or an existing install may be forcing it; check the constraints file.`
    )
  }
  if (check.exitCode !== 0) {
    throw new ActionError(`'pip check' found broken dependencies after installing ${plan.package}: ${check.stdout.trim().replace(/\n/g, '; ')}`)
  }
  if (probe.exitCode !== 0) {
    throw new ActionError(`${plan.package} ${version} is installed but 'import ${plan.module}' fails: ${lastLine(probe.stderr)}`)
  }
  return version
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? ''
}
