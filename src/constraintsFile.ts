import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as core from '@actions/core'
import { dropPackage, sha256, validateConstraints } from './constraints.js'
import { ActionError } from './errors.js'
import { fetchText } from './http.js'
import { redact, type NetworkConfig } from './inputs.js'
import type { Plan } from './plan.js'

export interface LoadedConstraints {
  /** Local copy handed to pip. */
  file: string
  /** Where it came from: a URL or a path. */
  source: string
  sha256: string
}

/**
 * Fetches the constraints once, checks them, and writes the copy pip will
 * use, so pip never fetches a URL we did not validate.
 */
export async function loadConstraints(plan: Plan, network: NetworkConfig): Promise<LoadedConstraints | undefined> {
  const c = plan.constraints
  if (c.kind === 'none') {
    core.info('Installing without constraints (constraints: none).')
    return undefined
  }
  const source = redact(c.kind === 'url' ? c.url : c.path)
  let text: string
  if (c.kind === 'url') {
    text = await fetchText(c.url, network)
  } else {
    try {
      text = fs.readFileSync(c.path, 'utf8')
    } catch {
      throw new ActionError(`Input 'constraints' names '${c.path}', which is neither an http(s) URL nor a readable file.`)
    }
  }
  validateConstraints(text, source)
  if (plan.git) {
    const edited = dropPackage(text, plan.package)
    if (edited.removed.length > 0) {
      core.info(`Removed ${plan.package}'s own pin from the constraints (pip refuses a pinned name given as a git URL): ${edited.removed.join(', ')}`)
    }
    text = edited.text
  }
  const dir = fs.mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'setup-nova-dpm-'))
  const file = path.join(dir, 'upper-constraints.txt')
  fs.writeFileSync(file, text)
  core.info(`Constraints from ${source} (${text.split('\n').filter(l => l.trim()).length} lines), sha256 ${sha256(text).slice(0, 12)}`)
  return { file, source, sha256: sha256(text) }
}
