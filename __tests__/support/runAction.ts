/**
 * Runs the bundled action the way the runner does: `node dist/index.js` with
 * INPUT_* variables and the GITHUB_* command files, in an environment with
 * none of this machine's pip configuration.
 */
import { execFile, execFileSync, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const ACTION = path.join(repoRoot, 'dist', 'index.js')

/** The machine's environment without pip's configuration or the runner's own variables. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(PIP_|INPUT_|GITHUB_|RUNNER_|ACTIONS_|VIRTUAL_ENV)/.test(k)) continue
    env[k] = v
  }
  return { ...env, PIP_CONFIG_FILE: os.devNull, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1', ...extra }
}

const created: string[] = []
process.on('exit', () => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true })
})

/** A temporary directory, removed when the process exits. */
export function tempDir(prefix = 'nova-dpm-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  created.push(dir)
  return dir
}

/** A fresh venv: the "runner's Python" a test installs into. */
export function makeVenv(dir = tempDir('nova-dpm-venv-')): string {
  execFileSync('python3', ['-m', 'venv', dir], { env: cleanEnv() })
  return path.join(dir, 'bin', 'python')
}

/** Runs Python code in an interpreter and returns stdout, trimmed. */
export function py(python: string, code: string): string {
  return execFileSync(python, ['-c', code], { env: cleanEnv(), encoding: 'utf8' }).trim()
}

/** `{name: version}` of what is installed in an interpreter. */
export function installed(python: string): Record<string, string> {
  const list = JSON.parse(
    execFileSync(python, ['-m', 'pip', 'list', '--format=json'], { env: cleanEnv(), encoding: 'utf8' })
  ) as { name: string; version: string }[]
  return Object.fromEntries(list.map(p => [p.name.toLowerCase(), p.version]))
}

export interface ActionRun {
  code: number
  stdout: string
  outputs: Record<string, string>
  summary: string
  /** Variables exported with core.exportVariable. */
  exported: Record<string, string>
  /** Directories added with core.addPath. */
  paths: string[]
  /** `::error::`, `::warning::` and `::notice::` lines, as [level, message]. */
  annotations: [string, string][]
}

/** Parses GITHUB_OUTPUT / GITHUB_ENV files (`name<<delimiter` blocks). */
function parseCommandFile(file: string): Record<string, string> {
  const result: Record<string, string> = {}
  const lines = fs.readFileSync(file, 'utf8').split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i].match(/^([^<=]+)<<(.+)$/)
    if (!m) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i])
    result[m[1]] = value.join('\n')
  }
  return result
}

/** Starts the action; `done` settles when it exits. For tests that signal the running process. */
export function startAction(inputs: Record<string, string>, env: Record<string, string> = {}): { child: ChildProcess; done: Promise<ActionRun> } {
  const dir = tempDir('nova-dpm-runner-')
  const files = Object.fromEntries(
    ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY'].map(name => {
      const file = path.join(dir, name.toLowerCase())
      fs.writeFileSync(file, '')
      return [name, file]
    })
  )
  const inputVars = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]))
  const runnerTemp = path.join(dir, 'temp')
  fs.mkdirSync(runnerTemp)
  const fullEnv = cleanEnv({ RUNNER_TEMP: runnerTemp, PIP_CACHE_DIR: path.join(dir, 'pip-cache'), ...files, ...inputVars, ...env })
  let child!: ChildProcess
  const done = new Promise<ActionRun>(resolve => {
    child = execFile(process.execPath, [ACTION], { env: fullEnv, cwd: dir, maxBuffer: 64 * 1024 * 1024 }, (error, out, err) => {
      const stdout = out + err
      const annotations = [...stdout.matchAll(/^::(error|warning|notice)[^:]*::(.*)$/gm)].map(m => [m[1], m[2].replace(/%0A/g, '\n')] as [string, string])
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
        stdout,
        outputs: parseCommandFile(files.GITHUB_OUTPUT),
        summary: fs.readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
        exported: parseCommandFile(files.GITHUB_ENV),
        paths: fs.readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean),
        annotations
      })
    })
  })
  return { child, done }
}

export function runAction(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> {
  return startAction(inputs, env).done
}

/** The messages of one annotation level, for assertions. */
export function messages(run: ActionRun, level: 'error' | 'warning' | 'notice'): string[] {
  return run.annotations.filter(([l]) => l === level).map(([, m]) => m)
}
