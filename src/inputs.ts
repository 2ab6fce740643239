import * as path from 'node:path'
import semver from 'semver'
import { ActionError } from './errors.js'
import { findSeries, MASTER, PACKAGES, type PackageName, type Series } from './releases.js'
import { parseRange } from './versionRange.js'

export const MODES = ['release', 'stable', 'master'] as const
export type Mode = (typeof MODES)[number]

export const VENV_CHOICES = ['auto', 'true', 'false'] as const
export type VenvChoice = (typeof VENV_CHOICES)[number]

export const CACHE_KINDS = ['pip', 'venv', 'false'] as const
export type CacheKind = (typeof CACHE_KINDS)[number]

export type ConstraintsInput =
  | { kind: 'default' }
  | { kind: 'none' }
  | { kind: 'url'; url: string }
  | { kind: 'file'; path: string }

/** Everything the user asked for, validated. Produced once, from the inputs. */
export interface Config {
  series: Series
  mode: Mode
  package: PackageName
  /** The user's `version` range; undefined means "the series' major". */
  versionRange?: semver.Range
  constraints: ConstraintsInput
  indexUrl?: string
  /** Git URL or path of the package's repository; undefined means opendev. */
  repository?: string
  /** Interpreter name or path; undefined means `python`, else `python3`. */
  python?: string
  dryRun: boolean
  cache: CacheKind
  cacheKeySuffix: string
  /** Install into a venv the action makes: always, never, or when the interpreter forbids pip (PEP 668). */
  venv: VenvChoice
  venvPath?: string
  network: NetworkConfig
}

export interface NetworkConfig {
  /** Retries after a failed fetch or ls-remote (network error, 5xx). */
  retries: number
  /** Seconds one request may take. */
  timeoutSeconds: number
  /** Seconds all attempts together may take. */
  retryMaxSeconds: number
  /** What the user set explicitly, to pass on to pip; unset leaves pip's own configuration alone. */
  pipArgs: string[]
}

/** Reads one input; an unset input is ''. */
export type InputReader = (name: string) => string

export function parseInputs(read: InputReader): Config {
  const allowInsecure = parseBoolean('allow-insecure', read('allow-insecure'))
  const series = findSeries(required('release', read('release')))
  const mode = resolveMode(series, oneOf('mode', read('mode') || 'release', MODES))
  const versionInput = read('version').trim()
  if (versionInput && mode !== 'release') {
    throw new ActionError(
      `Input 'version' applies to mode 'release' only; mode '${mode}' installs whatever the git branch holds. Remove 'version', or use mode: release.`
    )
  }
  const indexUrl = optional(read('index-url'))
  const repository = optional(read('repository'))
  const python = optional(read('python'))
  const venvPath = optional(read('venv-path'))
  if (indexUrl) checkUrl('index-url', indexUrl, ['https:', 'http:', 'file:'], allowInsecure)
  if (repository) checkLocation('repository', repository, ['https:', 'http:', 'file:', 'ssh:', 'git:'], allowInsecure)
  if (python) checkPath('python', python)
  if (venvPath) checkPath('venv-path', venvPath)
  const cache = oneOf('cache', read('cache') || 'pip', CACHE_KINDS)
  const venv = oneOf('venv', read('venv') || 'auto', VENV_CHOICES)
  if (cache === 'venv' && venv === 'false') {
    throw new ActionError(`Inputs 'cache: venv' and 'venv: false' contradict each other: the venv cache needs a venv. Use 'cache: pip', or drop 'venv: false'.`)
  }
  const network = parseNetwork(read)
  return {
    series,
    mode,
    package: oneOf('package', read('package') || 'nova-dpm', PACKAGES),
    versionRange: versionInput ? parseRange(versionInput) : undefined,
    constraints: parseConstraintsInput(read('constraints'), allowInsecure),
    indexUrl,
    repository,
    python,
    dryRun: parseBoolean('dry-run', read('dry-run')),
    cache,
    cacheKeySuffix: read('cache-key-suffix').trim(),
    venv,
    venvPath,
    network
  }
}

function parseNetwork(read: InputReader): NetworkConfig {
  const retries = optional(read('retries'))
  const timeout = optional(read('timeout'))
  return {
    retries: retries ? wholeNumber('retries', retries, 0, 20) : 3,
    timeoutSeconds: timeout ? wholeNumber('timeout', timeout, 1, 600) : 30,
    retryMaxSeconds: wholeNumber('retry-max-time', read('retry-max-time') || '120', 1, 3600),
    pipArgs: [...(retries ? ['--retries', retries.trim()] : []), ...(timeout ? ['--timeout', timeout.trim()] : [])]
  }
}

function wholeNumber(name: string, value: string, min: number, max: number): number {
  const n = Number(value.trim())
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new ActionError(`Input '${name}' must be a whole number from ${min} to ${max}, not '${value}'.`)
  }
  return n
}

/**
 * `release: master` needs no mode; a series with `mode: master` is a
 * contradiction because master has constraints of its own.
 */
function resolveMode(series: Series, mode: Mode): Mode {
  if (series.name === MASTER) {
    if (mode === 'stable') {
      throw new ActionError(
        `Inputs 'release: master' and 'mode: stable' contradict each other: master has no stable branch. Use 'release: master' alone for the development code, or name a series (e.g. 'release: queens') with 'mode: stable'.`
      )
    }
    return 'master'
  }
  if (mode === 'master') {
    throw new ActionError(
      `Inputs 'release: ${series.name}' and 'mode: master' contradict each other: mode 'master' installs the development code with master's constraints, not ${series.name}'s. Use 'release: master' for that, or 'mode: stable' for ${series.name}'s stable branch.`
    )
  }
  return mode
}

function parseConstraintsInput(value: string, allowInsecure: boolean): ConstraintsInput {
  const v = value.trim()
  if (!v) return { kind: 'default' }
  if (v.toLowerCase() === 'none') return { kind: 'none' }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
    checkUrl('constraints', v, ['https:', 'http:'], allowInsecure)
    return { kind: 'url', url: v }
  }
  refuseOption('constraints', v)
  return { kind: 'file', path: path.resolve(v) }
}

/** A URL, or (for file-like schemes) a filesystem path. */
function checkLocation(name: string, value: string, schemes: string[], allowInsecure: boolean): void {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) checkUrl(name, value, schemes, allowInsecure)
  else refuseOption(name, value)
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i

export function checkUrl(name: string, value: string, schemes: string[], allowInsecure: boolean): void {
  refuseOption(name, value)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ActionError(`Input '${name}' is not a valid URL: '${redact(value)}'.`)
  }
  if (!schemes.includes(url.protocol)) {
    throw new ActionError(
      `Input '${name}' has an unsupported scheme '${url.protocol}' in '${redact(value)}'. Use one of: ${schemes
        .map(s => s.replace(/:$/, ''))
        .join(', ')}.`
    )
  }
  if (url.protocol === 'http:' && !allowInsecure && !LOOPBACK.test(url.hostname)) {
    throw new ActionError(
      `Input '${name}' uses plain http to ${url.hostname}, which anyone on the path can tamper with. Use https, or set 'allow-insecure: true' if you trust that network.`
    )
  }
}

/** Values are passed to pip and git as single arguments; one starting with '-' would be read as an option. */
function refuseOption(name: string, value: string): void {
  if (value.startsWith('-')) {
    throw new ActionError(`Input '${name}' must not start with '-': '${redact(value)}' would be read as a command-line option.`)
  }
}

/** A path we run or create: one argument, so no leading '-', and no '"' (see command.ts). */
function checkPath(name: string, value: string): void {
  refuseOption(name, value)
  if (/["\n\r]/.test(value)) {
    throw new ActionError(`Input '${name}' must not contain double quotes or line breaks: '${value}'. Use a plain path.`)
  }
}

/**
 * The secrets in the URL inputs, for the runner to mask. A password always is
 * one; a user name only over http(s), where a token often stands in its place
 * (`https://TOKEN@host`). ssh's `git@` is not: masking it would blank every
 * "git" in the log.
 */
export function credentialsIn(config: Config): string[] {
  const urls = [config.indexUrl, config.repository, config.constraints.kind === 'url' ? config.constraints.url : undefined]
  const secrets: string[] = []
  for (const value of urls) {
    if (!value || !URL.canParse(value)) continue
    const url = new URL(value)
    if (url.password) secrets.push(decodeURIComponent(url.password))
    if (url.username && /^https?:$/.test(url.protocol)) secrets.push(decodeURIComponent(url.username))
  }
  return secrets
}

/** Hides URL credentials (`https://user:token@host`) wherever a value is echoed. */
export function redact(value: string): string {
  return value.replace(/\/\/[^/@\s]*@/g, '//***@')
}

function required(name: string, value: string): string {
  if (!value.trim()) {
    throw new ActionError(`Input '${name}' is required: name an OpenStack series such as 'queens', or 'master'.`)
  }
  return value
}

function optional(value: string): string | undefined {
  return value.trim() || undefined
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const v = value.trim().toLowerCase()
  const found = allowed.find(a => a === v)
  if (!found) {
    throw new ActionError(`Input '${name}' has an unknown value '${value}'. Use one of: ${allowed.join(', ')}.`)
  }
  return found
}

function parseBoolean(name: string, value: string): boolean {
  const v = value.trim().toLowerCase()
  if (v === '' || v === 'false') return false
  if (v === 'true') return true
  throw new ActionError(`Input '${name}' must be 'true' or 'false', not '${value}'.`)
}
