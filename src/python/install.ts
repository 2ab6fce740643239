import { ActionError } from '../errors.js'
import { gitEnvironment, type TransportRule } from '../io/transport.js'
import type { Interpreter } from './interpreter.js'
import { explainPipFailure } from './pipFailure.js'

export interface PipRequest {
  /** One argument each: `nova-dpm>=3.0.0,<4.0.0`, `git+…@sha#egg=nova-dpm`, `-e`, `/abs/path`. */
  requirements: string[]
  constraintsFile?: string
  constraintsText?: string
  indexUrl?: string
  /** `--retries`/`--timeout` when the user set them; otherwise pip's own configuration applies. */
  networkArgs: string[]
}

/** pip's arguments; the user's own pip configuration (PIP_*, pip.conf) still applies. */
export function pipInstallArgs(request: PipRequest): string[] {
  return [
    'install',
    ...(request.constraintsFile ? ['--constraint', request.constraintsFile] : []),
    ...(request.indexUrl ? ['--index-url', request.indexUrl] : []),
    ...request.networkArgs,
    ...request.requirements
  ]
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
    untestedPython?: string
  }
): Promise<void> {
  const before = await python.installed()
  const result = await python.pip(pipInstallArgs(request), {
    what: 'pip install',
    timeoutMs: PIP_INSTALL_LIMIT_MS,
    stream: true,
    env: { ...process.env, ...gitEnvironment(context.rule, context.timeoutSeconds, { repositories: context.repositories }) }
  })
  if (result.exitCode === 0) return
  const { message } = explainPipFailure(`${result.stdout}\n${result.stderr}`, {
    requirements: context.redacted,
    constraints: request.constraintsText,
    pythonVersion: python.facts.version,
    pipVersion: python.facts.pipVersion ?? '',
    untestedPython: context.untestedPython
  })
  throw new ActionError(`${message}\n${describeLeftovers(before, await python.installed(), context.packages)}`)
}

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
