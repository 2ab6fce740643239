import * as os from 'node:os'
import * as path from 'node:path'
import { ActionError } from '../errors.js'
import type { NetworkSettings } from '../io/retry.js'
import { checkHttpInput, checkRepositoryInput, looksLikeUrl, type TransportRule } from '../io/transport.js'
import { hasControlCharacters, nonAscii, shown, spelled } from '../log/escape.js'
import { redact } from '../log/secrets.js'
import { MODES, type ConstraintsSource, type Mode } from '../source/plan.js'
import { PACKAGE_NAMES, findSeries, type PackageName, type Series } from '../source/releases.js'
import { parseVersionInput } from '../source/versions.js'

export const VENV_CHOICES = ['auto', 'true', 'false'] as const
export type VenvChoice = (typeof VENV_CHOICES)[number]
export const CACHE_KINDS = ['pip', 'venv', 'false'] as const
export type CacheChoice = (typeof CACHE_KINDS)[number]

/** Reads one input; an unset input is ''. */
export type InputReader = (name: string) => string

/** Every input, checked and typed; nothing derived yet (see settings.ts). */
export interface Inputs {
  series: Series
  mode: Mode
  packages: PackageName[]
  /** `version` as a PEP 440 specifier. */
  version?: string
  requirements: string
  editable: boolean
  constraints?: ConstraintsSource
  indexUrl?: string
  repository?: string
  python?: string
  venv: VenvChoice
  venvPath?: string
  cache: CacheChoice
  cacheKeySuffix: string
  configSample?: string
  dryRun: boolean
  network: NetworkSettings
  transport: TransportRule
}

/** Longest `cache-key-suffix`: the whole key must stay under the cache service's 512 characters. */
export const MAX_SUFFIX = 100

/**
 * Reads and checks every input. Paths are made absolute against the
 * workspace (`~` is the home directory), so that everything reported or
 * exported later is absolute.
 */
export function parseInputs(read: InputReader, workspace: string): Inputs {
  const transport = { allowInsecure: parseBoolean('allow-insecure', read('allow-insecure')) }
  const series = findSeries(required('release', read('release')))
  const mode = resolveMode(series, oneOf('mode', read('mode') || 'release', MODES))
  const packages = parsePackages(read('package'))
  const versionInput = read('version').trim()
  if (versionInput && mode !== 'release') {
    throw new ActionError(`Input 'version' applies to mode 'release' only; mode '${mode}' installs whatever the git branch holds. Remove 'version', or use mode: release.`)
  }
  if (versionInput && packages.length > 1) {
    throw new ActionError(`Input 'version' applies to one package; 'package' names ${packages.join(', ')}. Remove 'version', or install one package.`)
  }
  const repository = optional(read('repository'))
  if (repository !== undefined && packages.length > 1 && !repository.includes('{package}')) {
    throw new ActionError(
      `Input 'repository' must contain '{package}' when 'package' names several (${packages.join(', ')}): each comes from its own repository, e.g. 'https://git.example.com/mirror/{package}'.`
    )
  }
  if (repository !== undefined) checkRepositoryInput('repository', repository.replaceAll('{package}', packages[0]), transport)
  const indexInput = optional(read('index-url'))
  const indexUrl = indexInput && checkHttpInput('index-url', indexInput, transport).href
  const cache = oneOf('cache', read('cache') || 'pip', CACHE_KINDS)
  const venv = oneOf('venv', read('venv') || 'auto', VENV_CHOICES)
  if (cache === 'venv' && venv === 'false') {
    throw new ActionError(`Inputs 'cache: venv' and 'venv: false' contradict each other: the venv cache needs a venv. Use 'cache: pip', or drop 'venv: false'.`)
  }
  const python = optional(read('python'))
  const venvPath = optional(read('venv-path'))
  const configSample = optional(read('config-sample'))
  return {
    series,
    mode,
    packages,
    version: versionInput ? parseVersionInput(versionInput) : undefined,
    requirements: read('requirements'),
    editable: parseBoolean('editable', read('editable')),
    constraints: parseConstraints(read('constraints'), workspace, transport),
    indexUrl,
    repository,
    python: python && (python.includes('/') ? absolutePath('python', python, workspace) : checkName('python', python)),
    venv,
    venvPath: venvPath && absolutePath('venv-path', venvPath, workspace),
    cache,
    cacheKeySuffix: parseSuffix(read('cache-key-suffix')),
    configSample: configSample && absolutePath('config-sample', configSample, workspace),
    dryRun: parseBoolean('dry-run', read('dry-run')),
    network: parseNetwork(read),
    transport
  }
}

/** `release: list` asks only for the `releases` output: no interpreter, no download, nothing installed. */
export const LIST_RELEASES = 'list'

/**
 * The packages of a `release: list` request, or undefined when the request is
 * an install. Only `package` is read: the other inputs are for an install.
 */
export function listRequest(read: InputReader): PackageName[] | undefined {
  if (read('release').trim().toLowerCase() !== LIST_RELEASES) return undefined
  return parsePackages(read('package'))
}

/** Names separated by whitespace, commas or newlines; each once, in the order given. */
function parsePackages(value: string): PackageName[] {
  const names = value.split(/[\s,]+/).filter(Boolean)
  if (names.length === 0) return ['nova-dpm']
  const packages: PackageName[] = []
  for (const name of names) {
    const found = oneOf('package', name, PACKAGE_NAMES)
    if (!packages.includes(found)) packages.push(found)
  }
  return packages
}

function parseNetwork(read: InputReader): NetworkSettings {
  const retries = optional(read('retries'))
  const timeout = optional(read('timeout'))
  return {
    retries: retries ? wholeNumber('retries', retries, 0, 20) : 3,
    timeoutSeconds: timeout ? wholeNumber('timeout', timeout, 1, 600) : 30,
    retryMaxSeconds: wholeNumber('retry-max-time', read('retry-max-time') || '120', 1, 3600),
    pipArgs: [...(retries ? ['--retries', retries] : []), ...(timeout ? ['--timeout', timeout] : [])]
  }
}

function wholeNumber(name: string, value: string, min: number, max: number): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min || n > max) throw new ActionError(`Input '${name}' must be a whole number from ${min} to ${max}, not '${shown(value)}'.`)
  return n
}

/** `release: master` needs no mode; a series with `mode: master` is a contradiction: master has constraints of its own. */
function resolveMode(series: Series, mode: Mode): Mode {
  if (series.name === 'master') {
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

function parseConstraints(value: string, workspace: string, transport: TransportRule): ConstraintsSource | undefined {
  const v = value.trim()
  if (!v) return undefined
  if (v.toLowerCase() === 'none') return { kind: 'none' }
  if (looksLikeUrl(v)) return { kind: 'url', url: checkHttpInput('constraints', v, transport).href }
  return { kind: 'file', path: absolutePath('constraints', v, workspace) }
}

/** A path input, absolute: relative to the workspace, `~` the home directory. */
function absolutePath(name: string, value: string, workspace: string): string {
  checkName(name, value)
  const expanded = value === '~' ? os.homedir() : value.startsWith('~/') ? path.join(os.homedir(), value.slice(2)) : value
  return path.resolve(workspace, expanded)
}

/** Values are single arguments to pip and git and appear in logs: no leading '-', no control characters. */
function checkName(name: string, value: string): string {
  if (hasControlCharacters(value)) {
    throw new ActionError(`Input '${name}' contains a line break or another control character: '${shown(redact(value))}'. Give a single plain value.`)
  }
  if (value.startsWith('-')) throw new ActionError(`Input '${name}' must not start with '-': '${shown(redact(value))}' would be read as a command-line option.`)
  return value
}

function parseSuffix(value: string): string {
  const suffix = checkName('cache-key-suffix', value.trim())
  if (suffix.length > MAX_SUFFIX) {
    throw new ActionError(`Input 'cache-key-suffix' is ${suffix.length} characters long; the cache service takes keys up to 512, so keep it to ${MAX_SUFFIX} or fewer.`)
  }
  return suffix
}

function required(name: string, value: string): string {
  if (!value.trim()) throw new ActionError(`Input '${name}' is required: name an OpenStack series such as 'queens', or 'master'.`)
  return checkName(name, value.trim())
}

function optional(value: string): string | undefined {
  return value.trim() || undefined
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find(a => a === value.trim().toLowerCase())
  if (found) return found
  const foreign = nonAscii(value)
  const why = foreign.length ? `: it holds characters outside ASCII (${foreign.join(', ')}), which no allowed value has` : ''
  throw new ActionError(`Input '${name}' has an unknown value '${spelled(value)}'${why}. Use one of: ${allowed.join(', ')}.`)
}

function parseBoolean(name: string, value: string): boolean {
  const v = value.trim().toLowerCase()
  if (v === '' || v === 'false') return false
  if (v === 'true') return true
  throw new ActionError(`Input '${name}' must be 'true' or 'false', not '${shown(value)}'.`)
}
