import * as fs from 'node:fs'
import * as path from 'node:path'
import { ActionError } from '../errors.js'
import { type ProcessResult } from '../io/process.js'
import { shown } from '../log/escape.js'
import { neutralDirectory, PROBE_LIMIT_MS, runProbe } from './probe.js'
import { runPython } from './run.js'

export interface PythonFacts {
  /** `os.path.abspath(sys.executable)`: the real interpreter, never a shim such as pyenv's. */
  executable: string
  version: string
  major: number
  minor: number
  /** SOABI (`cpython-311-x86_64-linux-gnu`); on 2.7, built the same way from sysconfig (`cpython-27mu-x86_64-linux-gnu`). */
  abi: string
  /** `sys.prefix`: the venv's root inside one. */
  prefix: string
  /** The interpreter behind a venv or virtualenv (realpath); the interpreter itself outside one. */
  baseExecutable: string
  inVirtualEnv: boolean
  /** PEP 668: the distribution forbids pip installs into this interpreter (never true inside a venv). */
  externallyManaged: boolean
  /** undefined when pip is missing. */
  pipVersion?: string
  /** `venv` and `ensurepip` importable (Debian ships ensurepip apart, in python3-venv). */
  hasVenv: boolean
  hasVirtualenvModule: boolean
  /** `import pkg_resources` works (setuptools 65 on 3.12 is there but fails). */
  hasPkgResources: boolean
}

/** The probe's facts as it answers them: pip's version null when pip is missing. */
export type FactsAnswer = Omit<PythonFacts, 'pipVersion'> & { pipVersion: string | null }

/**
 * `python -E -s -m <module> …` from the empty directory: neither the
 * workspace nor PYTHONPATH nor the user site is on the module's sys.path, so
 * it sees the environment the verification sees. For a path not yet probed
 * too (pip's cache directory is asked while the probe runs).
 */
export function runModule(executable: string, module: string, args: string[], options: { what: string; timeoutMs: number; env?: NodeJS.ProcessEnv; stream?: boolean }): Promise<ProcessResult> {
  return runPython(executable, ['-E', '-s', '-m', module, ...args], { ...options, cwd: neutralDirectory() })
}

/**
 * A Python interpreter the action has probed: what it is, and the only ways
 * the action runs it. Every start is bounded in time and runs from an empty
 * directory, so nothing in the job's workspace lands on sys.path.
 */
export class Interpreter {
  private constructor(readonly facts: PythonFacts) {}

  /** Starts the interpreter once and learns its facts. */
  static async probe(pathOrName: string, options: { timeoutMs?: number } = {}): Promise<Interpreter> {
    const program = isPath(pathOrName) ? checkedExecutable(pathOrName) : onPath(pathOrName, process.env.PATH)
    if (!program) throw new ActionError(`'${shown(pathOrName)}' is not on PATH. Give a full path to the interpreter, or set up Python first.`)
    return Interpreter.answered((await runProbe(program, 'facts', { label: pathOrName, timeoutMs: options.timeoutMs ?? PROBE_LIMIT_MS })) as FactsAnswer, program)
  }

  /** The interpreter `program` from the probe's answer about it, given in a start made for something else (see checkImports). */
  static answered(answer: FactsAnswer, program: string): Interpreter {
    const facts: PythonFacts = { ...answer, executable: answer.executable || program, baseExecutable: answer.baseExecutable || program, pipVersion: answer.pipVersion ?? undefined }
    if (facts.pipVersion === undefined) delete facts.pipVersion
    return new Interpreter(facts)
  }

  /** pip, started as `runModule` starts a module; callers pass absolute paths. */
  async pip(args: string[], options: { what: string; timeoutMs: number; env?: NodeJS.ProcessEnv; stream?: boolean }): Promise<ProcessResult> {
    if (this.facts.pipVersion === undefined) throw new ActionError(noPipMessage(this.facts))
    return runModule(this.facts.executable, 'pip', args, options)
  }

  /** A tool that lives in the environment (oslo.config's generator), started as `runModule` does. */
  module(name: string, args: string[], options: { what: string; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<ProcessResult> {
    return runModule(this.facts.executable, name, args, options)
  }

  /** Distribution -> the names it registers in an entry point group, for the named distributions that are installed. */
  async entryPoints(group: string, distributions: readonly string[]): Promise<Record<string, string[]>> {
    const argument = JSON.stringify({ group, distributions })
    return (await runProbe(this.facts.executable, 'entry-points', { label: this.facts.executable, timeoutMs: PROBE_LIMIT_MS, argument })) as Record<string, string[]>
  }

  /**
   * The name of a project that only a setup.py knows, from `setup.py --name`
   * run in its own directory (where setup.py expects to run).
   */
  async setupPyName(dir: string): Promise<string> {
    const result = await runPython(this.facts.executable, ['-E', '-s', 'setup.py', '--name'], { what: 'setup.py --name', timeoutMs: PROBE_LIMIT_MS, cwd: dir })
    const name = result.stdout.trim().split(/\r?\n/).pop()?.trim() ?? ''
    if (result.exitCode !== 0 || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
      throw new ActionError(
        `Could not read the name of the project in ${shown(dir)} from its setup.py (${shown(lastLine(result.stderr) || name || 'no output')}). Give it a pyproject.toml [project] name or a setup.cfg [metadata] name.`
      )
    }
    return name
  }

  /** Normalized name (PEP 503) -> version of every distribution on the interpreter's sys.path; the first found wins. */
  async installed(): Promise<Record<string, string>> {
    return (await runProbe(this.facts.executable, 'installed', { label: this.facts.executable, timeoutMs: PROBE_LIMIT_MS })) as Record<string, string>
  }
}

function lastLine(text: string): string {
  return text.trim().split(/\r?\n/).pop()?.trim() ?? ''
}

function noPipMessage(facts: PythonFacts): string {
  const python = shown(facts.executable)
  return (
    `'${python}' (Python ${facts.version}) has no pip. Run '${python} -m ensurepip --upgrade' in a step before this one` +
    `${facts.major === 2 ? '' : ' (for a Debian/Ubuntu system Python: apt-get install python3-pip)'}, or point 'python' at an interpreter with pip.`
  )
}

/**
 * The interpreter named by the `python` input (a name on PATH or a path),
 * else `python`, else `python3` on PATH.
 */
export async function findInterpreter(wanted: string | undefined): Promise<string> {
  const searchPath = process.env.PATH
  if (wanted) {
    if (isPath(wanted)) return checkedExecutable(wanted)
    const found = onPath(wanted, searchPath)
    if (!found) {
      throw new ActionError(`Input 'python' names '${shown(wanted)}', which is not on PATH. Give a full path, or set up Python first (actions/setup-python).`)
    }
    return found
  }
  const found = onPath('python', searchPath) ?? onPath('python3', searchPath)
  if (!found) throw new ActionError(`No 'python' or 'python3' on PATH. Add an actions/setup-python step before this one, or set the 'python' input.`)
  return found
}

function isPath(name: string): boolean {
  return name.includes('/') || name.includes(path.sep)
}

/** An absolute path to an existing executable file, or an ActionError saying which of those it is not. */
function checkedExecutable(given: string): string {
  const resolved = path.resolve(given)
  const name = `'${shown(given)}'${resolved === given ? '' : ` (${shown(resolved)})`}`
  let stat: fs.Stats
  try {
    stat = fs.statSync(resolved)
  } catch {
    throw new ActionError(`The Python interpreter ${name} does not exist. Check the 'python' input.`)
  }
  if (stat.isDirectory()) throw new ActionError(`The Python interpreter ${name} is a directory; point 'python' at the interpreter itself, e.g. ${shown(path.join(given, 'bin', 'python'))}.`)
  try {
    fs.accessSync(resolved, fs.constants.X_OK)
  } catch {
    throw new ActionError(`The Python interpreter ${name} is not executable. Point 'python' at the interpreter, or make it executable (chmod +x).`)
  }
  return resolved
}

/** The first executable file named `name` in the PATH directories, as `which` finds it. */
export function onPath(name: string, searchPath: string | undefined): string | undefined {
  for (const dir of (searchPath ?? '').split(path.delimiter)) {
    if (!dir) continue
    const candidate = path.join(dir, name)
    try {
      if (fs.statSync(candidate).isFile()) {
        fs.accessSync(candidate, fs.constants.X_OK)
        return candidate
      }
    } catch {
      // not here
    }
  }
  return undefined
}
