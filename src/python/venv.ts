import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { ActionError } from '../errors.js'
import { type ProcessResult } from '../io/process.js'
import { fullFileSystem, saysNoSpace, whyNotWritable } from '../io/tempDir.js'
import { shown } from '../log/escape.js'
import { Interpreter, onPath } from './interpreter.js'
import { excerpt, neutralDirectory } from './probe.js'
import { runPython } from './run.js'

/** The file that makes a directory the action's own: only such a directory is ever cleared. */
export const VENV_MARKER = '.setup-nova-dpm-venv'

/** Creating a venv runs ensurepip: seconds, but a slow disk or a hang must still end. */
const VENV_LIMIT_MS = 5 * 60 * 1000

export function venvPython(dir: string): string {
  return process.platform === 'win32' ? path.join(dir, 'Scripts', 'python.exe') : path.join(dir, 'bin', 'python')
}

export type VenvState = 'absent' | 'empty' | 'ours' | 'foreign'

/** What is at `dir`: 'ours' carries the action's marker file; 'foreign' is anything else that exists, a file included. */
export function venvState(dir: string): VenvState {
  let stat: fs.Stats
  try {
    stat = fs.statSync(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent'
    return 'foreign'
  }
  if (!stat.isDirectory()) return 'foreign'
  const entries = fs.readdirSync(dir)
  if (entries.length === 0) return 'empty'
  return entries.includes(VENV_MARKER) && fs.statSync(path.join(dir, VENV_MARKER)).isFile() ? 'ours' : 'foreign'
}

/**
 * A fresh virtual environment at `dir` made from `base`, with the pip that
 * base bundles (nothing is upgraded). Python 3 uses `-m venv`; 2.7 has none,
 * so virtualenv makes it: the interpreter's own module, else a `virtualenv`
 * on PATH (Debian's 20.x creates 2.7 environments but cannot seed them
 * offline, so it makes a bare one and the environment's ensurepip adds pip).
 * A directory that is not absent, empty, or marked as the action's own is
 * never touched.
 */
export async function createVenv(base: Interpreter, dir: string, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Interpreter> {
  const target = path.resolve(dir)
  const state = venvState(target)
  if (state === 'foreign') throw new ActionError(foreignMessage(target))
  const steps = creationSteps(base, target, options.env ?? process.env)
  if (state === 'ours') fs.rmSync(target, { recursive: true, force: true })
  try {
    fs.mkdirSync(target, { recursive: true })
    // Marked before anything is created, so that a half-made environment is still ours to replace next time.
    fs.writeFileSync(path.join(target, VENV_MARKER), 'Created by setup-nova-dpm, which deletes and recreates this directory when it needs to.\n')
  } catch (error) {
    throw new ActionError(`Could not create the virtual environment at ${shown(target)}: ${whyNotWritable(target, error)}. Set ${elsewhere(target, options.env ?? process.env)}.`)
  }
  for (const step of steps) {
    // In the log: which tool made the environment matters when it is 2.7's virtualenv and ensurepip.
    const result = await runPython(step.program, step.args, {
      what: step.what,
      timeoutMs: options.timeoutMs ?? VENV_LIMIT_MS,
      env: options.env,
      cwd: neutralDirectory(),
      stream: true
    })
    if (result.exitCode !== 0) throw new ActionError(step.failure(result))
  }
  const python = await Interpreter.probe(venvPython(target))
  if (!python.facts.inVirtualEnv) throw new ActionError(`${shown(venvPython(target))} does not run as a virtual environment after it was created; remove ${shown(target)} and run again.`)
  if (python.facts.pipVersion === undefined) {
    throw new ActionError(`The virtual environment at ${shown(target)} has no pip after it was created from ${shown(base.facts.executable)}; its ensurepip did not install one.`)
  }
  return python
}

/**
 * What the venv tool alone writes for `base` at `dir` (no pip: its files are
 * claimed by its RECORD): the reference a restored venv's other files are
 * compared with. Python 3's venv, or the first virtualenv step of 2.7.
 */
export async function venvSkeleton(base: Interpreter, dir: string, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<void> {
  const [step] = creationSteps(base, dir, options.env ?? process.env, true)
  const result = await runPython(step.program, step.args, { what: step.what, timeoutMs: options.timeoutMs ?? VENV_LIMIT_MS, env: options.env, cwd: neutralDirectory() })
  if (result.exitCode !== 0) throw new ActionError(step.failure(result))
}

interface Step {
  program: string
  args: string[]
  what: string
  failure: (result: ProcessResult) => string
}

function creationSteps(base: Interpreter, target: string, env: NodeJS.ProcessEnv, withoutPip = false): Step[] {
  const { executable, version, major, minor, hasVenv, hasVirtualenvModule } = base.facts
  const python = shown(executable)
  const failed = (tool: string) => (result: ProcessResult) =>
    noSpace(result) ?? `Could not create a virtual environment at ${shown(target)} with ${tool} (exit code ${result.exitCode}): ${excerpt(lastLines(result))}`
  // `-m venv` reports ensurepip's full disk only as its exit status: the file systems it wrote to are asked.
  const noSpace = (result: ProcessResult) => {
    const full = saysNoSpace(result.stdout + result.stderr) ? target : fullFileSystem([target, env.TMPDIR || os.tmpdir()])
    if (full === undefined) return undefined
    return (
      `Could not create a virtual environment at ${shown(target)}: no space left on the file system of ${shown(full)} ` +
      `(${excerpt(lastLines(result))}). Free space there, or set ${elsewhere(target, env)}${full === target ? '' : ' and TMPDIR'}.`
    )
  }
  if (major >= 3) {
    const ensurepipMissing = `'${python}' (Python ${version}) cannot create a virtual environment: its ensurepip module is missing. On Debian/Ubuntu install python3-venv (apt-get install python3.${minor}-venv) in a step before this one, or use actions/setup-python.`
    if (!hasVenv) throw new ActionError(ensurepipMissing)
    return [
      {
        program: executable,
        args: ['-E', '-m', 'venv', ...(withoutPip ? ['--without-pip'] : []), target],
        what: 'python -m venv',
        failure: result => (/ensurepip is not\s+available/.test(result.stdout + result.stderr) ? ensurepipMissing : failed(`'${python} -m venv'`)(result))
      }
    ]
  }
  if (hasVirtualenvModule) {
    return [{ program: executable, args: ['-E', '-m', 'virtualenv', target], what: 'virtualenv', failure: failed(`'${python} -m virtualenv'`) }]
  }
  const virtualenv = onPath('virtualenv', env.PATH)
  if (!virtualenv) {
    throw new ActionError(
      `'${python}' is Python ${version}, which has no venv module, and neither it nor PATH has virtualenv to create a virtual environment with. ` +
        `Run '${python} -m pip install "virtualenv<20.22"' in a step before this one, or put a virtualenv older than 20.22 on PATH (Debian 12: apt-get install python3-virtualenv).`
    )
  }
  const newPython = venvPython(target)
  return [
    {
      program: virtualenv,
      args: ['--no-seed', '--python', executable, target],
      what: 'virtualenv',
      failure: failed(`'${shown(virtualenv)}'`)
    },
    {
      program: newPython,
      args: ['-E', '-m', 'ensurepip', '--default-pip'],
      what: 'ensurepip',
      failure: result =>
        noSpace(result) ??
        `Created a virtual environment at ${shown(target)}, but its ensurepip could not install pip (exit code ${result.exitCode}): ${excerpt(lastLines(result))}`
    }
  ]
}

function foreignMessage(target: string): string {
  let what = 'not a directory the action can use'
  try {
    what = fs.statSync(target).isDirectory() ? 'a directory the action did not create' : 'a file, not a directory'
  } catch {
    // unreadable: the generic description stands
  }
  return (
    `The virtual environment path ${shown(target)} is ${what} (it has no ${VENV_MARKER} marker), so the action leaves it untouched. ` +
    `Set 'venv-path' to a new or empty directory, or to one this action created before.`
  )
}

/** Where else the environment can go, naming RUNNER_TEMP when the default under it was used. */
function elsewhere(target: string, env: NodeJS.ProcessEnv): string {
  const underRunnerTemp = env.RUNNER_TEMP !== undefined && env.RUNNER_TEMP !== '' && !path.relative(path.resolve(env.RUNNER_TEMP), target).startsWith('..')
  return `'venv-path' to a directory with room that this user can write${underRunnerTemp ? ` (the default is under RUNNER_TEMP, ${shown(env.RUNNER_TEMP!)})` : ''}`
}

/** The end of a failed tool's output, where its error is. */
function lastLines(result: ProcessResult): string {
  const text = (result.stderr.trim() || result.stdout.trim()).split(/\r?\n/)
  return text.slice(-3).join('\n')
}
