import { createHash } from 'node:crypto'
import * as os from 'node:os'
import * as path from 'node:path'
import { readTextFile } from '../io/files.js'
import { maskSecrets } from '../log/secrets.js'
import { makePlan, type Plan } from '../source/plan.js'
import { parseRequirements, type Requirement } from '../source/requirements.js'
import { parseInputs, type InputReader, type Inputs } from './inputs.js'

/**
 * Everything a run needs to know before it touches the machine: the checked
 * inputs with every default filled, and every fact derived from them, made
 * once. The rest of the run reads it and never changes it.
 */
export interface Settings extends Omit<Inputs, 'requirements' | 'venvPath'> {
  plan: Plan
  /** The `requirements` input and the files it names, read and checked. */
  requirements: Requirement[]
  venvPath: string
  /** Where relative paths point: the job's checkout. */
  workspace: string
}

export function readSettings(read: InputReader, env: NodeJS.ProcessEnv = process.env): Settings {
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  // Masked before anything, even a refusal, could print them.
  maskSecrets(['index-url', 'repository', 'constraints', 'requirements'].flatMap(name => read(name).split('\n')))
  const inputs = parseInputs(read, workspace)
  const requirements = parseRequirements(inputs.requirements, {
    baseDir: workspace,
    editable: inputs.editable,
    readFile: file => readTextFile(file, `The requirements file ${file}`)
  })
  const plan = makePlan({
    series: inputs.series,
    mode: inputs.mode,
    packages: inputs.packages,
    version: inputs.version,
    repository: inputs.repository,
    constraints: inputs.constraints
  })
  return { ...inputs, plan, requirements, venvPath: inputs.venvPath ?? defaultVenvPath(inputs, env), workspace }
}

/**
 * One venv per set of packages and extra requirements, so that two steps with
 * different sets never share one. Absolute, as the run's temporary directory
 * is (see io/tempDir.ts).
 */
function defaultVenvPath(inputs: Inputs, env: NodeJS.ProcessEnv): string {
  const extra = inputs.requirements.trim() ? `-${createHash('sha256').update(inputs.requirements.trim()).digest('hex').slice(0, 8)}` : ''
  return path.resolve(env.RUNNER_TEMP || os.tmpdir(), 'setup-nova-dpm', `venv-${inputs.packages.join('+')}${extra}`)
}
