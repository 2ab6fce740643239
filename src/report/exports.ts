import * as path from 'node:path'
import * as core from '@actions/core'

/**
 * Makes later steps of the job use the venv, as `source bin/activate` would.
 * Called only once the install is verified: a failed run exports nothing.
 */
export function exportVenv(venvPython: string): void {
  core.exportVariable('VIRTUAL_ENV', path.dirname(path.dirname(venvPython)))
  core.addPath(path.dirname(venvPython))
}
