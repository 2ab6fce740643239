import { randomUUID } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ActionError } from '../errors.js'
import { runTempDir } from '../io/tempDir.js'
import { shown } from '../log/escape.js'
import { runPython } from './run.js'

/**
 * The one Python program the action runs in an interpreter it does not know:
 * probe/probe_main.py beside this file and the package beside it (its header
 * says what they may use). Python files rather than strings, so that Python's
 * own tools see them. The build copies the folder beside the bundle
 * (package.json `build`): ncc's own asset handling would give each file a
 * content-hash name, a new stale file in dist/ per edit.
 *
 * `python -E -s -B probe_main.py <mode> <nonce> [argument]` (-B: no byte code
 * written beside the action); the answer is the line after
 * `setup-nova-dpm-probe:<nonce>`, so a banner or a module that prints on
 * import cannot be taken for it, and a program that echoes its arguments
 * cannot fake it.
 */
export function probeScript(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'probe', 'probe_main.py')
}

export type ProbeMode = 'facts' | 'installed' | 'verify' | 'imports' | 'entry-points'

/** The longest an interpreter may take to answer the facts or the listing. */
export const PROBE_LIMIT_MS = 60_000

let neutral: string | undefined

/**
 * The working directory of every interpreter start: an empty directory of the
 * action's own. Python puts the working directory first on sys.path, so in the
 * job's workspace a `json.py` or a `nova_dpm/` folder would shadow the real
 * ones.
 */
export function neutralDirectory(): string {
  if (neutral && fs.existsSync(neutral)) return neutral
  neutral = fs.mkdtempSync(path.join(runTempDir(), 'python-cwd-'))
  return neutral
}

/**
 * Runs the probe in `mode` and returns its answer. `label` is the interpreter
 * as the user named it; every failure says what that program did instead.
 */
export async function runProbe(
  executable: string,
  mode: ProbeMode,
  options: { label: string; timeoutMs: number; argument?: string }
): Promise<unknown> {
  const nonce = randomUUID()
  const args = ['-E', '-s', '-B', probeScript(), mode, nonce, ...(options.argument === undefined ? [] : [options.argument])]
  const result = await runPython(executable, args, { what: `the Python probe (${mode})`, timeoutMs: options.timeoutMs, cwd: neutralDirectory() })
  const label = `'${shown(options.label)}'`
  const lines = result.stdout.split(/\r?\n/)
  const at = lines.indexOf(`setup-nova-dpm-probe:${nonce}`)
  if (at >= 0) {
    try {
      return JSON.parse(lines[at + 1] ?? '')
    } catch {
      return fail(`${label} answered ${TASKS[mode]} with unreadable data: ${excerpt(lines[at + 1] ?? '')}`)
    }
  }
  // Only the first start can meet something that is not Python; later ones fail in the environment.
  const isPython = mode === 'facts' ? ' Is it a Python interpreter, version 2.7 or 3.5 or later?' : ''
  if (result.timedOut) {
    return fail(`${label} did not finish ${TASKS[mode]} within ${Math.round(options.timeoutMs / 1000)} s and was stopped.${isPython}`)
  }
  const printed = result.stdout.trim() || result.stderr.trim()
  if (result.exitCode === 0) {
    return printed
      ? fail(`${label} printed ${excerpt(printed)} instead of the answer to ${TASKS[mode]}: is it a Python interpreter?`)
      : fail(`${label} exited without answering ${TASKS[mode]}: is it a Python interpreter?`)
  }
  const last = lastLine(result.stderr) || lastLine(result.stdout)
  return fail(`${label} failed in ${TASKS[mode]} (exit code ${result.exitCode})${last ? `: ${excerpt(last)}` : ''}.${isPython}`)
}

const TASKS: Record<ProbeMode, string> = {
  facts: "the action's Python probe",
  installed: 'listing the installed distributions',
  verify: 'verifying the environment',
  imports: 'importing the installed modules',
  'entry-points': 'listing entry points'
}

function fail(message: string): never {
  throw new ActionError(message)
}

function lastLine(text: string): string {
  return text.trim().split(/\r?\n/).pop()?.trim() ?? ''
}

/** A quoted, escaped and shortened piece of a program's output. */
export function excerpt(text: string, max = 160): string {
  const escaped = shown(text)
  return `'${escaped.length > max ? `${escaped.slice(0, max)}…` : escaped}'`
}
