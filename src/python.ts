import * as fs from 'node:fs'
import * as path from 'node:path'
import * as io from '@actions/io'
import { command, type CommandResult } from './command.js'
import { ActionError } from './errors.js'
import type { Installed } from './install.js'

export interface PythonInfo {
  /** Absolute path of the interpreter the action runs. */
  path: string
  version: string
  major: number
  minor: number
  /** ABI tag (`cpython-311-x86_64-linux-gnu`): wheels built for one do not fit another. */
  abi: string
  /** The interpreter behind a venv, so a venv cache notices a changed base. */
  baseExecutable: string
  hasPip: boolean
  /** PEP 668: the distribution forbids pip installs into this interpreter. */
  externallyManaged: boolean
}

// Runs on any Python from 2.7 on, so that an old interpreter is reported, not crashed on.
const DESCRIBE = `
import json, os, sys, sysconfig
try:
    import importlib.util as u
    has_pip = u.find_spec("pip") is not None
except ImportError:
    import imp
    try:
        imp.find_module("pip"); has_pip = True
    except ImportError:
        has_pip = False
stdlib = sysconfig.get_paths()["stdlib"]
print(json.dumps({
    "version": "%d.%d.%d" % sys.version_info[:3],
    "major": sys.version_info[0], "minor": sys.version_info[1],
    "abi": sysconfig.get_config_var("SOABI") or sys.version,
    "baseExecutable": os.path.realpath(getattr(sys, "_base_executable", sys.executable)),
    "hasPip": has_pip,
    "externallyManaged": sys.prefix == sys.base_prefix and os.path.exists(os.path.join(stdlib, "EXTERNALLY-MANAGED")) if hasattr(sys, "base_prefix") else False,
}))
`

/** The interpreter named by the `python` input, else `python`, else `python3` on PATH. */
export async function findPython(wanted?: string): Promise<string> {
  if (wanted) {
    if (wanted.includes('/') || wanted.includes(path.sep)) {
      const resolved = path.resolve(wanted)
      try {
        fs.accessSync(resolved, fs.constants.X_OK)
      } catch {
        throw new ActionError(`Input 'python' names '${wanted}', which does not exist or is not executable.`)
      }
      return resolved
    }
    const found = await io.which(wanted, false)
    if (!found) throw new ActionError(`Input 'python' names '${wanted}', which is not on PATH. Give a full path, or set up Python first (actions/setup-python).`)
    return found
  }
  const found = (await io.which('python', false)) || (await io.which('python3', false))
  if (!found) {
    throw new ActionError(`No 'python' or 'python3' on PATH. Add an actions/setup-python step before this one, or set the 'python' input.`)
  }
  return found
}

export async function describePython(python: string): Promise<PythonInfo> {
  const result = await runPython(python, DESCRIBE)
  if (result.exitCode !== 0) {
    throw new ActionError(`'${python}' did not run as a Python interpreter: ${result.stderr.trim().split('\n').pop() ?? ''}`)
  }
  const info = JSON.parse(result.stdout) as Omit<PythonInfo, 'path'>
  if (info.major < 3) {
    throw new ActionError(
      `'${python}' is Python ${info.version}; the action needs Python 3 (pip and venv as used here do not support Python 2). Set 'python' to a Python 3 interpreter.`
    )
  }
  if (!info.hasPip) {
    throw new ActionError(
      `'${python}' (Python ${info.version}) has no pip. Run '${python} -m ensurepip --upgrade' in a step before this one, or use actions/setup-python.`
    )
  }
  return { path: python, ...info }
}

export function venvPython(venv: string): string {
  return process.platform === 'win32' ? path.join(venv, 'Scripts', 'python.exe') : path.join(venv, 'bin', 'python')
}

export function venvBin(venv: string): string {
  return path.dirname(venvPython(venv))
}

/** A fresh virtual environment at `dir`, replacing whatever was there. */
export async function createVenv(python: string, dir: string): Promise<string> {
  await io.mkdirP(path.dirname(dir))
  const result = await command(python, ['-m', 'venv', '--clear', dir])
  if (result.exitCode !== 0) {
    throw new ActionError(`Could not create a virtual environment at ${dir}: ${result.stderr.trim().split('\n').pop() ?? ''}. On Debian/Ubuntu, install python3-venv.`)
  }
  return venvPython(dir)
}

/** Runs `python -m pip ...`, streaming its output to the log and capturing it for error reports. */
export async function pip(python: string, args: string[]): Promise<CommandResult> {
  return command(python, ['-m', 'pip', ...args])
}

/** Runs a short Python snippet quietly. */
export async function runPython(python: string, code: string, args: string[] = []): Promise<CommandResult> {
  return command(python, ['-c', code, ...args], { silent: true })
}

const LIST = `
import importlib.metadata as m, json, re
print(json.dumps({re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower(): d.version for d in m.distributions()}))
`

/** The distributions installed in an interpreter, by normalized name. */
export async function installedDistributions(python: string): Promise<Installed> {
  const result = await runPython(python, LIST)
  return result.exitCode === 0 ? (JSON.parse(result.stdout) as Installed) : {}
}
