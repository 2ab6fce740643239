import { ActionError } from './errors.js'
import type { Plan } from './plan.js'
import { pip, runPython } from './python.js'
import { versionSatisfies } from './versionRange.js'

/**
 * Proves the environment is usable: the distribution is installed, its
 * version is the one asked for, its dependencies are consistent, and its
 * module imports. Returns the installed version.
 */
export async function verifyInstall(python: string, plan: Plan): Promise<string> {
  const found = await runPython(python, 'import sys, importlib.metadata as m; print(m.version(sys.argv[1]))', [plan.package])
  if (found.exitCode !== 0) {
    throw new ActionError(`${plan.package} is not installed in ${python} after pip ran: ${lastLine(found.stderr)}`)
  }
  const version = found.stdout.trim()
  if (plan.release && !versionSatisfies(version, plan.release.range)) {
    throw new ActionError(
      `pip installed ${plan.package} ${version}, outside the range asked for (${plan.release.requirement}). A constraints pin or an existing install may be forcing it; check the constraints file.`
    )
  }
  const check = await pip(python, ['check'])
  if (check.exitCode !== 0) {
    throw new ActionError(`'pip check' found broken dependencies after installing ${plan.package}: ${check.stdout.trim().replace(/\n/g, '; ')}`)
  }
  const imported = await runPython(python, 'import importlib, sys; importlib.import_module(sys.argv[1])', [plan.module])
  if (imported.exitCode !== 0) {
    throw new ActionError(`${plan.package} ${version} is installed but 'import ${plan.module}' fails: ${lastLine(imported.stderr)}`)
  }
  return version
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? ''
}
