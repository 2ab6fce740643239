import * as path from 'node:path'
import { ActionError } from '../errors.js'
import { withBoundedLog } from '../io/boundedLog.js'
import { runTempDir } from '../io/tempDir.js'
import { shown } from '../log/escape.js'
import { info, stopCommands } from '../log/log.js'
import { gitEnvironment, type TransportRule } from '../io/transport.js'
import type { Interpreter } from './interpreter.js'
import { explainPipFailure } from './pipFailure/index.js'

export interface PipRequest {
  /** One argument each: `nova-dpm>=3.0.0,<4.0.0`, `git+…@sha#egg=nova-dpm`, `-e`, `/abs/path`. */
  requirements: string[]
  constraintsFile?: string
  constraintsText?: string
  indexUrl?: string
  /** `--retries`/`--timeout` when the user set them; otherwise pip's own configuration applies. */
  networkArgs: string[]
  /** `--upgrade`: replace what is installed with what is asked for (see `needsUpgrade`). */
  upgrade?: boolean
  /** pip's full log: the only place pip names an index's 401, 404 or 503 at normal verbosity. */
  logFile?: string
}

/** pip's arguments; the user's own pip configuration (PIP_*, pip.conf) still applies. */
export function pipInstallArgs(request: PipRequest): string[] {
  return [
    'install',
    // A prompt (an index asking for credentials) would wait on a closed stdin.
    '--no-input',
    ...(request.logFile ? ['--log', request.logFile] : []),
    ...(request.upgrade ? ['--upgrade'] : []),
    ...(request.constraintsFile ? ['--constraint', request.constraintsFile] : []),
    ...(request.indexUrl ? ['--index-url', request.indexUrl] : []),
    ...request.networkArgs,
    ...request.requirements
  ]
}

/**
 * pip's legacy resolver (pip before 20.3, and every pip on Python 2) keeps an
 * installed project that is given as a git URL or a path ("Requirement
 * already satisfied"), whatever version or commit it is: installing
 * stable/queens over a released 1.0.1 would leave 1.0.1 and report the
 * branch's commit. With --upgrade it builds and installs the one asked for
 * (dependencies are still changed only where needed). A `-r` file may hold
 * such lines too. The new resolver replaces such a project by itself when
 * the version it builds differs.
 */
export function needsUpgrade(pipVersion: string, pythonMajor: number, requirements: readonly string[]): boolean {
  const [major = 0, minor = 0] = pipVersion.split('.').map(part => Number.parseInt(part, 10))
  const legacyResolver = pythonMajor === 2 || major < 20 || (major === 20 && minor < 3)
  return legacyResolver && requirements.some(r => /^-[er]\b|^[a-z][a-z0-9+.-]*:\/\/|\s@\s|^[./~]/i.test(r))
}

/** The longest a whole `pip install` may take: the nova-dpm closure builds in minutes, a hang is stopped. */
export const PIP_INSTALL_LIMIT_MS = 45 * 60 * 1000

/**
 * Runs pip once for everything. pip's git clones obey the same transport
 * rule as the action's own git calls. A failure is explained by its cause,
 * with what pip left behind.
 */
export async function pipInstall(
  python: Interpreter,
  request: PipRequest,
  context: {
    rule: TransportRule
    timeoutSeconds: number
    /** Git locations pip will clone: plain http to them is allowed only when they passed the transport rule. */
    repositories: readonly string[]
    packages: readonly string[]
    redacted: string[]
    /** What was installed before pip ran, to tell what a failed run changed. */
    before: Installed
    untestedPython?: string
    missingAdvice?: Record<string, string>
  }
): Promise<void> {
  const upgrade = needsUpgrade(python.facts.pipVersion ?? '', python.facts.major, request.requirements)
  const logFile = path.join(runTempDir(), `pip-install-${Date.now().toString(36)}.log`)
  // A build's output goes to the log only: a runaway one would fill RUNNER_TEMP.
  const { value: result, log } = await withBoundedLog(logFile, () =>
    python.pip(pipInstallArgs({ ...request, upgrade, logFile }), {
      what: 'pip install',
      timeoutMs: PIP_INSTALL_LIMIT_MS,
      stream: true,
      env: { ...process.env, ...gitEnvironment(context.rule, context.timeoutSeconds, { repositories: context.repositories }) }
    })
  )
  if (result.exitCode === 0) return
  // With --log, pip keeps a failed build's output out of the console: show its end.
  if (log) {
    const resume = stopCommands()
    info(`The last lines of pip's log (${shown(logFile)}):\n${log.split('\n').slice(-LOG_LINES_SHOWN).join('\n')}`)
    resume()
  }
  const { message } = explainPipFailure(`${result.stdout}\n${result.stderr}`, {
    log,
    requirements: context.redacted,
    constraints: request.constraintsText,
    pythonVersion: python.facts.version,
    pipVersion: python.facts.pipVersion ?? '',
    untestedPython: context.untestedPython,
    missingAdvice: context.missingAdvice
  })
  throw new ActionError(`${message}\n${describeLeftovers(context.before, await python.installed(), context.packages)}`)
}

const LOG_LINES_SHOWN = 60

/** name (normalized) -> version of the installed distributions. */
export type Installed = Record<string, string>

/**
 * What a failed pip run left behind, so that nobody mistakes a half-changed
 * environment for the one asked for.
 */
export function describeLeftovers(before: Installed, after: Installed, packages: readonly string[]): string {
  const changed = Object.keys(after)
    .filter(name => before[name] !== after[name])
    .sort()
    .map(name => (before[name] ? `${name} ${before[name]} -> ${after[name]}` : `${name} ${after[name]}`))
  const removed = Object.keys(before).filter(name => !(name in after))
  if (changed.length === 0 && removed.length === 0) return 'pip changed nothing; the environment is as it was.'
  const missing = packages.filter(p => !(p in after))
  const parts = [
    changed.length ? `pip installed or changed ${changed.join(', ')} before it stopped` : '',
    removed.length ? `removed ${removed.sort().join(', ')}` : '',
    missing.length ? `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed` : ''
  ].filter(Boolean)
  return `${parts.join('; ')}. Re-running the step after fixing the cause completes the install.`
}
