import { shown } from '../log/escape.js'
import { redact } from '../log/secrets.js'
import { releasedSeries } from '../source/releases.js'

export type PipFailureKind =
  | 'index-unreachable'
  | 'index-http-error'
  | 'authentication'
  | 'no-such-distribution'
  | 'no-matching-version'
  | 'constraint-conflict'
  | 'build-failure'
  | 'python-version'
  | 'git-fetch'
  | 'not-a-project'
  | 'pip-too-old'
  | 'unknown'

export interface PipFailureContext {
  /** What pip was asked to install (already redacted). */
  requirements: string[]
  /** The constraints text handed to pip, to name the conflicting line. */
  constraints?: string
  pythonVersion: string
  pipVersion: string
  /** A sentence: the interpreter is outside the series' tested Pythons. */
  untestedPython?: string
  /**
   * The text of pip's `--log` file. pip reports an index's HTTP errors and
   * failed connections (with `--retries 0`, or a 4xx/5xx) only at debug level,
   * which the console never shows; and with `--log` given, a build's output
   * goes there instead of the console. Without it those classes degrade to
   * what the console says.
   */
  log?: string
}

export interface PipFailure {
  kind: PipFailureKind
  message: string
}

/**
 * What went wrong in a failed `pip install`, said so that the user can act
 * on it: one paragraph, pip's own words quoted (escaped, credentials masked),
 * none of its "a subprocess failed, see above" boilerplate. Keyed on the
 * wording of pip 18.1 (Python 3.6), 19.2 (2.7) and 23 (3.11): the oldest pips
 * the supported series run on and today's.
 */
export function explainPipFailure(output: string, context: PipFailureContext): PipFailure {
  const text = new PipText(output, context.log)
  const failure =
    notAProject(text, context) ??
    gitFetch(text) ??
    pythonVersion(text, context) ??
    buildFailure(text, context) ??
    conflict(text, context) ??
    network(text) ??
    notFound(text, context) ??
    unknown(text, context)
  return { kind: failure.kind, message: redact(failure.message) }
}

// --- pip's text -------------------------------------------------------------

// eslint-disable-next-line no-control-regex -- pip colours its output when it thinks it has a terminal
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g
/** `--log` prefixes every line with a timestamp. */
const LOG_STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[,.]\d+ /
/** The frame of pip ≥ 22's error boxes. */
const BOX = /^(?:[×│╰─>]+\s*)+/u
/** Where a subprocess's output starts and ends in pip's console report (pip 23, 19, 18). */
const BLOCK_START = /^(?:\[\d+ lines? of output\]|Complete output \(\d+ lines?\):|Complete output from command .*:)$/
const BLOCK_END = /^(?:\[end of output\]|-{20,})$/

class PipText {
  /** Console lines, trimmed, box frames removed. */
  readonly console: string[]
  /** Log lines, trimmed, timestamps removed. */
  readonly log: string[]
  readonly all: string[]

  /** Console lines that are pip's own, not a subprocess's output pip quotes in a block. */
  readonly outside: string[]
  /** The output of the failed subprocesses pip quoted in blocks. */
  readonly blocks: string[]

  constructor(output: string, log: string | undefined) {
    this.console = lines(output)
    this.log = log ? lines(log, LOG_STAMP) : []
    this.all = [...this.console, ...this.log]
    this.outside = []
    this.blocks = []
    let inside = false
    for (const line of this.console) {
      if (BLOCK_START.test(line)) inside = true
      else if (inside && BLOCK_END.test(line)) inside = false
      else (inside ? this.blocks : this.outside).push(line)
    }
  }

  first(re: RegExp): RegExpExecArray | undefined {
    for (const line of this.all) {
      const m = re.exec(line)
      if (m) return m
    }
    return undefined
  }

  last(re: RegExp, where: string[] = this.all): RegExpExecArray | undefined {
    for (let i = where.length - 1; i >= 0; i--) {
      const m = re.exec(where[i])
      if (m) return m
    }
    return undefined
  }

  every(re: RegExp): RegExpExecArray[] {
    return this.all.map(line => re.exec(line)).filter((m): m is RegExpExecArray => m !== null)
  }

  has(re: RegExp): boolean {
    return this.all.some(line => re.test(line))
  }

  /** The index pip searched, as pip printed it (pip masks a password itself). */
  get index(): string | undefined {
    return this.first(/^Looking in indexes: (.+)$/)?.[1]
  }
}

function lines(text: string, stamp?: RegExp): string[] {
  return text
    .replace(ANSI, '')
    .split(/\r?\n|\r/)
    .map(line => (stamp ? line.replace(stamp, '') : line).trim().replace(BOX, '').trim())
}

/** pip's words, quoted for the annotation: escaped, and cut where a line runs on. */
function quote(value: string): string {
  const cut = value.length > 300 ? `${value.slice(0, 300)}…` : value
  return `"${shown(cut)}"`
}

/** One pattern matching at a line's start for any of these; kept apart so that each pip's wording is one entry. */
function anyOf(...patterns: RegExp[]): RegExp {
  return new RegExp(`^(?:${patterns.map(p => p.source).join('|')})`)
}

/** PEP 503 normalized project name. */
function normalized(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-')
}

/** The project name a requirement string starts with (PEP 508). */
function nameOf(requirement: string): string | undefined {
  return /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(requirement)?.[1]
}

function pipMajor(version: string): number {
  return Number.parseInt(version, 10)
}

function withUntested(message: string, context: PipFailureContext): string {
  return context.untestedPython ? `${message} ${context.untestedPython}` : message
}

// --- not a project, pip too old -----------------------------------------------

function notAProject(text: PipText, context: PipFailureContext): PipFailure | undefined {
  // pip ≥ 20: "<req> does not appear to be a Python project: neither 'setup.py' nor 'pyproject.toml' found."
  // pip 18/19 on a directory: "Directory '<dir>' is not installable. Neither 'setup.py' nor 'pyproject.toml' found."
  const said = text.first(/^(?:ERROR: )?(.+?) does not appear to be a Python project/) ?? text.first(/^(?:ERROR: )?Directory '(.+)' is not installable\./)
  if (said) return notAProjectFailure(said[1])
  // pip 18/19 on a git checkout run `setup.py egg_info` regardless, and Python says the file is missing.
  const missingSetupPy = text.first(/No such file or directory: '[^']*\/setup\.py'/)
  if (!missingSetupPy || !text.has(/setup\.py egg_info|egg_info --egg-base/)) return undefined
  const source = what(text) ?? 'the project'
  // pip < 19 ran `setup.py` because it cannot build through pyproject.toml's backend (PEP 517):
  // it installed that backend first, so the project has a pyproject.toml.
  if (pipMajor(context.pipVersion) < 19 && text.has(/^Installing build dependencies/)) {
    return {
      kind: 'pip-too-old',
      message:
        `pip ${context.pipVersion} cannot install ${quote(source)}: the project has a pyproject.toml build backend and no setup.py, and pip builds such ` +
        `projects (PEP 517) only from version 19 on; pip ran setup.py anyway and failed with ${quote(missingSetupPy[0])}. Upgrade pip in this ` +
        `Python (${context.pythonVersion}) before this step, e.g. \`python -m pip install "pip>=19,<21"\` (pip 20.3.4 is the last for 2.7, 21.3.1 for 3.6), ` +
        'then re-run.'
    }
  }
  return notAProjectFailure(source)
}

function notAProjectFailure(source: string): PipFailure {
  return {
    kind: 'not-a-project',
    message:
      `${quote(source)} is not a Python project: it has neither setup.py nor pyproject.toml. A branch that only holds a README is a retired ` +
      `one; install a released version ('mode: release' with ${releasedSeries()
        .map(s => s.name)
        .join(', ')}) or a series whose branch still holds the code, or point 'requirements' at the project's directory.`
  }
}

/** What pip was working on: the source it cloned or the directory it processed. */
function what(text: PipText): string | undefined {
  const cloned = text.last(/^Cloning (\S+)(?: \(to revision (\S+)\))?/, text.outside)
  if (cloned) return cloned[2] ? `${cloned[1]} (revision ${cloned[2]})` : cloned[1]
  return text.last(/^(?:Processing|Obtaining|Collecting) (\S+)(?: from (\S+))?/, text.outside)?.slice(1).filter(Boolean).join(' from ')
}

// --- git ----------------------------------------------------------------------

/** pip's statement that a git command failed, in each pip's words. */
const GIT_COMMAND = /git (?:clone|checkout|fetch|submodule|reset|rev-parse)\b/
const GIT_FAILED = anyOf(
  new RegExp(`${GIT_COMMAND.source}.* did not run successfully`), // pip 23
  new RegExp(`(?:ERROR: )?Command errored out with exit status \\d+: ${GIT_COMMAND.source}`), // pip 19
  new RegExp(`Command "${GIT_COMMAND.source}.*" failed with error code`) // pip 18
)

function gitFetch(text: PipText): PipFailure | undefined {
  if (!text.has(GIT_FAILED)) return undefined
  // git's own reason: its first fatal line (the later ones are generic), or its error line.
  const reason =
    text.first(/^fatal: (?!Could not read from remote repository)(.+)$/)?.[0] ?? text.first(/^error: (?!subprocess-exited-with-error)(.+)$/)?.[0]
  const source = text.last(/^Cloning (\S+)(?: \(to revision (\S+)\))?/, text.console)
  const from = source ? `${source[1]}${source[2] ? ` at revision ${source[2]}` : ''}` : 'a git repository'
  return {
    kind: 'git-fetch',
    message:
      `pip could not fetch ${quote(from)} with git${reason ? `: git said ${quote(reason)}` : ''}. Check 'repository' (the URL) and that the ` +
      'branch or tag exists there, and that the git server is reachable from the runner; then re-run.'
  }
}

// --- Python version ------------------------------------------------------------

function pythonVersion(text: PipText, context: PipFailureContext): PipFailure | undefined {
  // pip ≥ 21: "Package 'x' requires a different Python: 3.11.7 not in '>=3.99'" (from the wheel's metadata).
  // pip 18:   "x requires Python '>=3.99' but the running Python is 3.6.15".
  const metadata = text.first(/^(?:ERROR: )?Package '([^']+)' requires a different Python: \S+ not in '([^']+)'/)
  if (metadata) return pythonFailure(metadata[1], metadata[2], metadata[0], context)
  const old = text.first(/^(?:ERROR: )?(\S+) requires Python '([^']+)' but the running Python is \S+/)
  if (old) return pythonFailure(old[1], old[2], old[0], context)
  // pip ≥ 21.2 lists what it skipped (from the index's data-requires-python) next to "no matching distribution".
  const ignored = text.first(/^(?:ERROR: )?Ignored the following versions that require a different python version: (.+)$/)
  const missing = lastNotFound(text)
  if (ignored && missing) {
    return pythonFailure(missing.name, undefined, ignored[0].replace(/^ERROR: /, ''), context)
  }
  // Older pips say so only in their debug log: pip 19/20 "Link requires a different Python (2.7.18 not in: '>=3.99'): <url>",
  // pip 18 "The package <url> (requires-python:>=3.99) is incompatible with the pythonversion in use."
  if (missing && missing.versions.length === 0) {
    for (const m of text.every(/Link requires a different Python \((\S+) not in: u?'([^']+)'\): (\S+)/)) {
      if (fileProject(m[3]) === normalized(missing.name)) return pythonFailure(missing.name, m[2], m[0], context)
    }
    for (const m of text.every(/The package (\S+) .*is incompatible with the pythonversion in use\. Acceptable python versions are:\s*(\S+)/)) {
      if (fileProject(m[1]) === normalized(missing.name)) return pythonFailure(missing.name, m[2], m[0], context)
    }
  }
  return undefined
}

function pythonFailure(name: string, range: string | undefined, said: string, context: PipFailureContext): PipFailure {
  // A file's URL says no more than its name does.
  const short = said.replace(/^ERROR: /, '').replace(/\S+\/([^/\s#]+)#\S+/g, '$1').replace(/ \(from [^)]*\)/g, '')
  const needs = range ? `needs Python ${range}` : 'has no version for this Python'
  return {
    kind: 'python-version',
    message:
      `${quote(name)} ${needs}, and this interpreter is Python ${context.pythonVersion} (pip: ${quote(short)}). Use a Python the release ` +
      `supports (input 'python'), or a version of ${quote(name)} that still supports Python ${context.pythonVersion}.`
  }
}

/** The normalized project of a distribution file's URL (`…/nova_dpm-3.0.0-py3-none-any.whl` → `nova-dpm`). */
function fileProject(url: string): string | undefined {
  const file = url.split('#')[0].split('/').pop() ?? ''
  const name = /^(.+?)-\d/.exec(decodeURIComponentSafe(file))?.[1]
  return name ? normalized(name) : undefined
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

// --- builds -------------------------------------------------------------------

/** pip's statement that installing the build requirements failed, per pip. */
const BUILD_DEPS_FAILED = anyOf(
  /Installing build dependencies(?:: finished with status 'error'| \.\.\. error)/, // all, without and with a terminal
  /pip subprocess to install build dependencies did not run successfully/, // pip 23
  /(?:ERROR: )?Command errored out with exit status \d+: .* install --ignore-installed .*--prefix/, // pip 19
  /Command ".* install --ignore-installed .*--prefix .*" failed with error code/ // pip 18
)
/** pip's statement that a build step failed, per pip. */
const BUILD_FAILED = anyOf(
  // without and with a terminal
  /(?:Preparing (?:wheel )?metadata|Getting requirements to build|Building (?:wheel|editable) for)\b.*(?:: finished with status 'error'| \.\.\. error)/,
  /.* did not run successfully\.?$/, // pip 23
  /(?:error: )?(?:metadata-generation-failed|legacy-install-failure)/, // pip 23
  /Failed building (?:wheel|editable) for|(?:ERROR: )?Could not build wheels for|(?:ERROR: )?Failed to build /,
  /Running setup\.py install for \S+ \.\.\. error/,
  /(?:ERROR: )?Command errored out with exit status \d+: (?:python setup\.py|.*_in_process\.py|.*setup\.py)/, // pip 19
  /Command "python setup\.py \S+" failed with error code/ // pip 18
)

function buildFailure(text: PipText, context: PipFailureContext): PipFailure | undefined {
  const deps = text.has(BUILD_DEPS_FAILED)
  if (!deps && !text.has(BUILD_FAILED)) return undefined
  const source = what(text) ?? 'a project from source'
  const reason = buildError(text)
  const said = reason ? `: ${quote(reason)}` : ''
  if (deps) {
    return {
      kind: 'build-failure',
      message: withUntested(
        `pip could not install the build requirements of ${quote(source)} (its pyproject.toml [build-system] requires, such as setuptools, ` +
          `wheel or pbr)${said}. Make sure the package index (input 'index-url' or your pip configuration) serves them for Python ` +
          `${context.pythonVersion}.`,
        context
      )
    }
  }
  return {
    kind: 'build-failure',
    message: withUntested(
      `pip could not build ${quote(source)} from source${said}. Install what its build needs on the runner (compilers, system libraries), ` +
        'or use a version that publishes a wheel for this Python.',
      context
    )
  }
}

/** Lines that are pip's, not the build's: its exceptions (with and without their module, as Python 2 prints them), its reports. */
const PIP_EXCEPTIONS = [
  'InstallationError', 'InstallationSubprocessError', 'MetadataGenerationFailed', 'DistributionNotFound', 'UnsupportedPythonVersion',
  'HashMismatch', 'HashErrors', 'BadCommand', 'CommandError', 'PreviousBuildDirError', 'NetworkConnectionError', 'ResolutionImpossible',
  'RequirementsConflicted', 'LegacyInstallFailure', 'InstallationFailed', 'SubProcessError'
]
const PIP_OWN = anyOf(
  /pip\._\w+/,
  new RegExp(`(?:${PIP_EXCEPTIONS.join('|')})\\b`),
  /(?:ERROR: )?\[present-rich\]|(?:ERROR: )?Command errored out|.*Check the logs for full command output/,
  /error: (?:subprocess-exited-with-error|metadata-generation-failed|legacy-install-failure)\b/,
  /Traceback \(most recent call last\)|File ".*", line \d+|Exception information:/
)
/** A line that reports an error: an exception, a compiler's or git's error, a failed requirement. */
const ERRORISH = anyOf(
  /[A-Za-z_][\w.]*(?:Error|Exception|Exit|Failure|Failed)(?::|$)/,
  /error:|Error:|fatal error:|fatal:|ERROR:/,
  /No matching distribution found for |Could not find a version that satisfies/
)

/** The last line of the build's own output that reports an error. */
function buildError(text: PipText): string | undefined {
  // With --log, pip writes the build's output to the log only.
  const fromBlocks = text.blocks.length > 0
  const candidates = (fromBlocks ? text.blocks : text.log).filter(line => line !== '' && !PIP_OWN.test(line))
  const found = [...candidates].reverse().find(line => ERRORISH.test(line)) ?? (fromBlocks ? candidates.at(-1) : undefined)
  return found?.replace(/^ERROR: /, '')
}

// --- conflicts ----------------------------------------------------------------

function conflict(text: PipText, context: PipFailureContext): PipFailure | undefined {
  // The console only: pip's log holds the resolver's internal ResolutionImpossible for any unmet requirement.
  const said = anyOf(/(?:ERROR: )?(?:ResolutionImpossible\b|Cannot install .* conflicting dependencies)/, /The conflict is caused by:/)
  const resolver = text.console.some(line => said.test(line))
  // The legacy resolver (pip < 20.3) names the constraints file in the requirement it could not satisfy.
  const missing = lastNotFound(text)
  const legacy = missing?.from.some(from => /^-c |\(line \d+\)/.test(from)) ? missing : undefined
  if (!resolver && !legacy) return undefined
  const causes = conflictCauses(text)
  const names = new Set<string>()
  for (const cause of causes) {
    const m = /^(?:The user requested (?:\(constraint\) )?(\S+)|(\S+) \S+ depends on (\S+))/.exec(cause)
    for (const requirement of m?.slice(1) ?? []) {
      const name = requirement && nameOf(requirement)
      if (name) names.add(normalized(name))
    }
  }
  if (legacy) names.add(normalized(legacy.name))
  const pinned = constraintLines(context.constraints, names)
  const pins = pinned.length ? ` The constraints involved: ${pinned.map(p => `line ${p.line} ${quote(p.text)}`).join(', ')}.` : ''
  const cause = legacy
    ? `the constraints ask for ${quote(legacy.requirement)}, and the index has only ${legacy.versions.length ? legacy.versions.join(', ') : 'no version of it'}`
    : causes.length
      ? causes.map(quote).join('; ')
      : quote(text.last(/^ERROR: (Cannot install .+)$/)?.[1] ?? 'ResolutionImpossible')
  return {
    kind: 'constraint-conflict',
    message:
      `pip cannot satisfy the requirements together with the constraints: ${cause}.${pins} Choose a version the release's constraints allow ` +
      "(inputs 'version' and 'requirements'), or other constraints (input 'constraints'; 'none' installs unconstrained)."
  }
}

/** The lines under pip's "The conflict is caused by:". */
function conflictCauses(text: PipText): string[] {
  const start = text.console.findIndex(line => line === 'The conflict is caused by:')
  if (start < 0) return []
  const causes: string[] = []
  for (const line of text.console.slice(start + 1)) {
    if (line === '' || /^To fix this/.test(line)) break
    causes.push(line)
  }
  return causes
}

function constraintLines(constraints: string | undefined, names: Set<string>): { line: number; text: string }[] {
  if (!constraints) return []
  return constraints
    .split(/\r?\n/)
    .map((text, i) => ({ line: i + 1, text: text.replace(/(^|\s)#.*$/, '').trim() }))
    .filter(({ text }) => {
      const name = nameOf(text)
      return name !== undefined && names.has(normalized(name))
    })
}

// --- the index ------------------------------------------------------------------

interface NetworkProblem {
  kind: 'index-unreachable' | 'index-http-error' | 'authentication'
  status?: number
  /** Why, in a few words: "connection refused", "HTTP 503". */
  why: string
  url?: string
  said: string
  /** pip skipped the index without asking it (plain http to a host not marked trusted). */
  untrusted?: boolean
}

function network(text: PipText): PipFailure | undefined {
  const problem = networkProblem(text)
  return problem && networkFailure(problem, text)
}

function networkProblem(text: PipText): NetworkProblem | undefined {
  // A download that failed outright: pip 18 "Could not install packages due to an EnvironmentError: HTTPConnectionPool(…)…",
  // pip 23 "… due to an OSError: …"; pip 23 "HTTP error 404 while getting <url>".
  const oserror = text.last(/^(?:ERROR: )?Could not install packages due to an (?:OSError|EnvironmentError): (.+)$/)
  if (oserror) {
    const problem = fromReason(oserror[1], oserror[0])
    if (problem) return problem
  }
  // Without --no-input and without a terminal, pip answers a 401 by prompting, and dies reading the answer.
  const prompt = text.first(/^User for (\S+?):(?:\s|$)/)
  if (prompt && text.has(/^EOFError\b/)) {
    return { kind: 'authentication', status: 401, why: 'HTTP 401', url: text.index, said: prompt[0] }
  }
  const http = text.last(/^(?:ERROR: )?HTTP error (\d{3}) while getting (\S+)/)
  if (http) return fromStatus(Number(http[1]), http[2], http[0])
  // A project page pip could not get ends as "no matching distribution" with no versions.
  const missing = lastNotFound(text)
  if (!missing || missing.versions.length > 0) return undefined
  const untrusted = text.first(/The repository located at (\S+) is not a trusted or secure host and is being ignored/)
  if (untrusted) return { kind: 'index-unreachable', why: 'plain http to a host not marked trusted', url: text.index, said: untrusted[0], untrusted: true }
  const fetched = text.every(/Could not fetch URL (\S+?): (.+) - skipping$/).filter(m => isProjectPage(m[1], missing.name))
  for (const m of fetched.reverse()) {
    const problem = fromReason(m[2], m[0], m[1])
    if (problem && problem.status !== 404) return problem
  }
  const retried = text.every(/Retrying \(Retry\(.*\)\) after connection broken by '(.+)': (\S+)$/).filter(m => isProjectPage(m[2], missing.name))
  const last = retried.at(-1)
  if (last) return fromReason(last[1], last[0], resolveAgainst(last[2], text.index))
  return undefined
}

/** Whether a URL (or path) is the index page of that project: `…/simple/nova-dpm/`. */
function isProjectPage(url: string, name: string): boolean {
  return normalized(url.replace(/\/+$/, '').split('/').pop() ?? '') === normalized(name)
}

/** A urllib3/requests reason, as pip logs it. */
function fromReason(reason: string, said: string, url?: string): NetworkProblem | undefined {
  const status = /^(\d{3}) (?:Client|Server) Error\b/.exec(reason) ?? /too many (\d{3}) error responses/.exec(reason)
  const where = url ?? poolUrl(reason)
  if (status) return fromStatus(Number(status[1]), where, said)
  const why = unreachableWhy(reason)
  return why ? { kind: 'index-unreachable', why, url: where, said } : undefined
}

function fromStatus(status: number, url: string | undefined, said: string): NetworkProblem {
  const kind = status === 401 || status === 403 ? 'authentication' : 'index-http-error'
  return { kind, status, why: `HTTP ${status}`, url: url?.split('#')[0], said }
}

function unreachableWhy(reason: string): string | undefined {
  const unresolved = /Name or service not known|nodename nor servname|Temporary failure in name resolution|NameResolutionError|getaddrinfo failed|No address/i
  if (unresolved.test(reason)) return 'its host name does not resolve'
  if (/Connection refused/i.test(reason)) return 'the connection was refused'
  if (/SSLError|CERTIFICATE_VERIFY_FAILED|certificate verify|confirming the ssl certificate/i.test(reason)) return 'its TLS certificate was not accepted'
  if (/ProxyError|Cannot connect to proxy/i.test(reason)) return 'the proxy failed'
  if (/timed out|Timeout/i.test(reason)) return 'it did not answer in time'
  if (/Connection reset|RemoteDisconnected|Connection aborted|Broken pipe|IncompleteRead|ProtocolError/i.test(reason)) return 'the connection broke off'
  if (/NewConnectionError|Failed to establish a new connection|connection error|Max retries exceeded/i.test(reason)) return 'no connection could be made'
  return undefined
}

/** `HTTPConnectionPool(host='h', port=80): Max retries exceeded with url: /p` → `http://h:80/p`. */
function poolUrl(reason: string): string | undefined {
  const m = /(HTTPS?)ConnectionPool\(host='([^']+)', port=(\d+)\): Max retries exceeded with url: (\S+)/.exec(reason)
  return m ? `${m[1].toLowerCase()}://${m[2]}:${m[3]}${m[4]}` : undefined
}

function resolveAgainst(path: string, index: string | undefined): string {
  const base = index?.split(',')[0].trim()
  if (!base || !URL.canParse(base)) return path
  return new URL(path, base).href
}

/** The part of a urllib3 reason that says what happened, without pip's wrapping and object addresses. */
function networkDetail(said: string): string {
  const plain = said.replace(/^(?:ERROR|WARNING): /, '').replace(/<[\w.]+ object at 0x[0-9a-f]+>:\s*/g, '')
  const detail = [
    /Failed to establish a new connection: [^'"]+/,
    /Read timed out\.?(?: \(read timeout=[\d.]+\))?/,
    /\d{3} (?:Client|Server) Error: [^:]+ for url: \S+/,
    /too many \d{3} error responses/,
    /Cannot connect to proxy[^'"]*|\[SSL[^\]]*\][^'"]*|certificate verify failed[^'"]*/
  ]
    .map(re => re.exec(plain)?.[0])
    .find(Boolean)
  return detail ?? plain
}

function networkFailure(problem: NetworkProblem, text: PipText): PipFailure {
  const url = problem.url ?? text.index ?? 'the package index'
  const at = quote(url)
  const said = quote(networkDetail(problem.said))
  switch (problem.kind) {
    case 'authentication':
      return {
        kind: 'authentication',
        message:
          `The package index refused access to ${at} (${problem.why}${problem.status === 401 ? ': credentials required' : ': forbidden'}; pip: ${said}). ` +
          "Give pip credentials for it: put a user and token (from a secret) into 'index-url', or into the pip configuration this step sees, " +
          'and check that they grant read access; then re-run.'
      }
    case 'index-http-error':
      return {
        kind: 'index-http-error',
        message:
          `The package index answered ${problem.why} for ${at} (pip: ${said}). ` +
          (problem.status !== undefined && problem.status >= 500
            ? "The index is failing: re-run later, raise 'retries', or point 'index-url' at a working index."
            : "Check that the index serves this project and its files, or point 'index-url' at one that does.")
      }
    default:
      if (problem.untrusted) {
        return {
          kind: 'index-unreachable',
          message:
            `pip did not use the package index ${at}: ${problem.why} (pip: ${said}). Use an https URL for the index, or, if you trust the ` +
            'network, name the host in the pip configuration as trusted-host.'
        }
      }
      return {
        kind: 'index-unreachable',
        message:
          `pip could not reach the package index at ${at}: ${problem.why} (pip: ${said}). Check 'index-url' (or the pip configuration this step ` +
          "sees) and that the index is reachable from the runner (proxy, firewall, DNS); 'timeout' and 'retries' bound how long pip tries."
      }
  }
}

// --- nothing found --------------------------------------------------------------

interface NotFound {
  /** The requirement as pip printed it, without its "(from …)" notes. */
  requirement: string
  name: string
  /** pip's "(from …)" notes: the requirement that pulled it in, or the constraints file. */
  from: string[]
  versions: string[]
}

function lastNotFound(text: PipText): NotFound | undefined {
  // pip 18 prints "(from versions: )" where later pips print "(from versions: none)".
  const m = text.last(/Could not find a version that satisfies the requirement (.+) \(from versions: ([^()]*)\)$/, text.console)
  if (!m) return undefined
  const from: string[] = []
  let requirement = m[1]
  for (;;) {
    const note = /^(.*) \(from (.+)\)$/.exec(requirement)
    if (!note || !balanced(note[2])) break
    from.unshift(note[2])
    requirement = note[1]
  }
  const versions = m[2].trim() === 'none' ? [] : m[2].split(',').map(v => v.trim()).filter(Boolean)
  return { requirement, name: nameOf(requirement) ?? requirement, from, versions }
}

function balanced(value: string): boolean {
  let depth = 0
  for (const c of value) {
    depth += c === '(' ? 1 : c === ')' ? -1 : 0
    if (depth < 0) return false
  }
  return depth === 0
}

function notFound(text: PipText, context: PipFailureContext): PipFailure | undefined {
  const missing = lastNotFound(text)
  if (!missing) return undefined
  const index = quote(text.index ?? 'the package index')
  const asked = context.requirements.some(r => nameOf(r) !== undefined && normalized(nameOf(r)!) === normalized(missing.name))
  const via = missing.from.length ? ` (required by ${missing.from.map(quote).join(', ')})` : asked ? '' : ' (a dependency of what was asked)'
  if (missing.versions.length > 0) {
    return {
      kind: 'no-matching-version',
      message:
        `No version of ${quote(missing.name)} on ${index} matches ${quote(missing.requirement)}${via}; pip saw ${missing.versions.join(', ')}. ` +
        "Ask for a version that exists (inputs 'version' and 'requirements'), or use an index that has the one you need (input 'index-url')."
    }
  }
  // pip's log names the files it passed over: pip 23 "Skipping link: none of the wheel's tags (py2-none-any) are compatible (…): <url>",
  // pip 19 "… tags match: <tags>: <url>", pip 18 "Skipping link <url> (from <page>); it is not compatible with this Python".
  const unfit = text
    .every(/Skipping link:? (?:none of the wheel's tags (?:\((.+?)\) are compatible.*?|match: (\S+)): (\S+)|(\S+) .*it is not compatible with this Python)/)
    .filter(m => fileProject(m[3] ?? m[4]) === normalized(missing.name))
  if (unfit.length > 0) {
    const tags = [...new Set(unfit.map(m => m[1] ?? m[2]).filter(Boolean))]
    return {
      kind: 'no-matching-version',
      message:
        `${index} has files of ${quote(missing.name)}${via}, but none installs on Python ${context.pythonVersion}` +
        `${tags.length ? ` (they are built for ${tags.map(quote).join(', ')})` : ''}. Use a version of ${quote(missing.name)} that ships a wheel ` +
        "or source archive for this Python (inputs 'version' and 'requirements'), or a Python its wheels are built for (input 'python')."
    }
  }
  // With pip's log at hand, a 404 for the project's page is proof; without it, pip's silence covers an index that did not answer too.
  const proven = text.every(/Could not fetch URL (\S+?): 404 Client Error/).some(m => isProjectPage(m[1], missing.name))
  const unsure = context.log === undefined && !proven ? ' (or the index did not answer for it: pip says which only in its log)' : ''
  return {
    kind: 'no-such-distribution',
    message:
      `There is no project ${quote(missing.name)} on ${index}${via}${unsure}. Check the name (a typo in 'requirements'?) and that 'index-url' ` +
      'or the pip configuration names the index that serves it.'
  }
}

// --- anything else --------------------------------------------------------------

function unknown(text: PipText, context: PipFailureContext): PipFailure {
  const errors = text.console
    .filter(line => /^(?:ERROR|error|fatal):\s*\S/.test(line) && !PIP_OWN.test(line) && !/^ERROR: Exception:$/.test(line))
    .map(line => line.replace(/^(?:ERROR|error|fatal):\s*/, ''))
  // pip itself crashed: its traceback ends in the exception that says what broke.
  const traceback = text.console.lastIndexOf('Traceback (most recent call last):')
  const crash = traceback >= 0 ? text.last(/^[A-Za-z_][\w.]*: \S.*$/, text.console.slice(traceback))?.[0] : undefined
  const said = crash ? [...errors.slice(-1), crash] : errors.length ? errors.slice(-2) : text.console.filter(line => line !== '').slice(-2)
  const subject = what(text)
  const during = subject ? ` while installing ${quote(subject)}` : ''
  const reason = said.length ? `: ${said.map(quote).join(' ')}` : ' without saying why'
  return { kind: 'unknown', message: withUntested(`pip install failed${during}${reason}. The step's log above has pip's full output.`, context) }
}
