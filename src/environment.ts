import * as os from 'node:os'
import * as path from 'node:path'
import * as core from '@actions/core'
import { ActionError } from './errors.js'
import type { Config } from './inputs.js'
import type { PythonInfo } from './python.js'
import { venvBin } from './python.js'
import type { Series } from './releases.js'

/**
 * Whether to install into a venv of our own. An externally managed
 * interpreter (PEP 668) is never forced with --break-system-packages.
 */
export function wantsVenv(config: Config, base: PythonInfo): boolean {
  if (config.cache === 'venv' || config.venv === 'true') return true
  if (!base.externallyManaged) return false
  if (config.venv === 'false') {
    throw new ActionError(
      `${base.path} is externally managed (PEP 668): its distribution forbids pip installs into it, and 'venv: false' forbids a venv. Set 'venv: auto', or use actions/setup-python.`
    )
  }
  core.notice(`${base.path} is externally managed (PEP 668); installing into a virtual environment instead, exported for later steps.`)
  return true
}

export function venvDir(config: Config): string {
  return config.venvPath ?? path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'setup-nova-dpm', `venv-${config.package}`)
}

/** Makes later steps of the job use the venv, as `source bin/activate` would. */
export function exportVenv(dir: string): void {
  core.exportVariable('VIRTUAL_ENV', dir)
  core.addPath(venvBin(dir))
}

/** A warning when the interpreter is outside the Pythons the series was tested with. */
export function untestedPythonWarning(series: Series, python: PythonInfo): string | undefined {
  const minor = `${python.major}.${python.minor}`
  if (!series.pythons || series.pythons.includes(minor)) return undefined
  return `OpenStack ${series.name} was tested on Python ${series.pythons.join(' and ')}, not ${minor}; its constraints may pin packages that do not install on ${minor}. If pip fails, use one of those versions (actions/setup-python with python-version: '${series.pythons[series.pythons.length - 1]}', or a 'container:' of that era).`
}
