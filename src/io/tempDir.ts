import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { shown } from '../log/escape.js'
import { warning } from '../log/log.js'

let made: string | undefined

/**
 * A directory of the action's own for this run, under the runner's temp
 * directory, as an absolute path: pip and Python run from an empty directory
 * of the action's, where a relative path (a local run's RUNNER_TEMP=.tmp)
 * would name nothing. A runner without a usable RUNNER_TEMP still installs:
 * the system's temp directory serves, with a warning.
 */
export function runTempDir(): string {
  if (made) return made
  const runnerTemp = process.env.RUNNER_TEMP
  if (runnerTemp) {
    try {
      made = fs.mkdtempSync(path.join(path.resolve(runnerTemp), 'setup-nova-dpm-'))
      return made
    } catch (error) {
      warning(`RUNNER_TEMP (${shown(runnerTemp)}) is not usable (${shown((error as Error).message)}); using ${os.tmpdir()} instead.`)
    }
  } else {
    warning(`RUNNER_TEMP is not set; using ${os.tmpdir()} for the action's temporary files.`)
  }
  made = fs.mkdtempSync(path.join(path.resolve(os.tmpdir()), 'setup-nova-dpm-'))
  return made
}
