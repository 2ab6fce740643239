/**
 * What pip prints at its normal verbosity (its console), in the words of
 * each pip generation the action meets: 18.1 (Python 3.6), 19.2 (2.7) and
 * 23 (3.11), the oldest pips the supported series run on and today's. A new
 * pip's console wording is added here; what only its debug log says is in
 * log.ts.
 */
import { type PipText, anyOf, lines, nameOf, normalized } from './text.js'

/** Where a subprocess's output starts and ends in pip's console report (pip 23, 19, 18). */
const BLOCK_START = /^(?:\[\d+ lines? of output\]|Complete output \(\d+ lines?\):|Complete output from command .*:)$/
const BLOCK_END = /^(?:\[end of output\]|-{20,})$/

/** pip's console output as lines: all of them, pip's own (outside), and the subprocess output it quotes (blocks). */
export function consoleLines(output: string): { console: string[]; outside: string[]; blocks: string[] } {
  const console = lines(output)
  const outside: string[] = []
  const blocks: string[] = []
  let inside = false
  for (const line of console) {
    if (BLOCK_START.test(line)) inside = true
    else if (inside && BLOCK_END.test(line)) inside = false
    else (inside ? blocks : outside).push(line)
  }
  return { console, outside, blocks }
}

/** The index pip searched, as pip printed it (pip masks a password itself). */
export function indexOf(text: PipText): string | undefined {
  return text.first(/^Looking in indexes: (.+)$/)?.[1]
}

/** What pip was working on: the source it cloned or the directory it processed. */
export function what(text: PipText): string | undefined {
  const cloned = text.last(/^Cloning (\S+)(?: \(to revision (\S+)\))?/, text.outside)
  if (cloned) return cloned[2] ? `${cloned[1]} (revision ${cloned[2]})` : cloned[1]
  // A directory is the rest of its line (it may hold spaces), a requirement one word.
  const m = text.last(/^(?:Processing|Obtaining) (.+?)(?: \(from .*\))?$|^Collecting (\S+)(?: from (\S+))?/, text.outside)
  return m?.slice(1).filter(Boolean).join(' from ')
}

// --- not a project --------------------------------------------------------------

/**
 * pip ≥ 20: "<req> does not appear to be a Python project: neither 'setup.py' nor 'pyproject.toml' found."
 * pip 18/19 on a directory: "Directory '<dir>' is not installable. Neither 'setup.py' nor 'pyproject.toml' found."
 * pip 18.1 on `-e <dir>` that has only pyproject.toml: "Directory '<dir>' is not installable. File 'setup.py' not found."
 */
export const NOT_A_PROJECT = [/^(?:ERROR: )?(.+?) does not appear to be a Python project/, /^(?:ERROR: )?Directory '(.+)' is not installable\./]
/** pip 18/19 on a git checkout run `setup.py egg_info` regardless, and Python says the file is missing. */
/** The words that tell the second case from the first: only setup.py is missing. */
export const ONLY_SETUP_PY_MISSING = /is not installable\. File 'setup\.py' not found\./
export const MISSING_SETUP_PY = /No such file or directory: '[^']*\/setup\.py'/
export const RAN_EGG_INFO = /setup\.py egg_info|egg_info --egg-base/
export const INSTALLING_BUILD_DEPS = /^Installing build dependencies/

// --- a full disk ------------------------------------------------------------------

/**
 * Python's errno 28, wherever pip or a build met it: pip 23 "Could not install packages due to an OSError:
 * [Errno 28] No space left on device", pip 18/19 "… an EnvironmentError: …", with the file when Python names it.
 */
export const NO_SPACE = /\[Errno 28\] No space left on device(?:: '([^']+)')?/

// --- git ------------------------------------------------------------------------

/** pip's statement that a git command failed, in each pip's words. */
const GIT_COMMAND = /git (?:clone|checkout|fetch|submodule|reset|rev-parse)\b/
export const GIT_FAILED = anyOf(
  new RegExp(`${GIT_COMMAND.source}.* did not run successfully`), // pip 23
  new RegExp(`(?:ERROR: )?Command errored out with exit status \\d+: ${GIT_COMMAND.source}`), // pip 19
  new RegExp(`Command "${GIT_COMMAND.source}.*" failed with error code`) // pip 18
)
/** git's own reason: its first fatal line (the later ones are generic), or its error line. */
export const GIT_FATAL = /^fatal: (?!Could not read from remote repository)(.+)$/
export const GIT_ERROR = /^error: (?!subprocess-exited-with-error)(.+)$/
export const CLONING = /^Cloning (\S+)(?: \(to revision (\S+)\))?/

// --- Python version ----------------------------------------------------------------

/** pip ≥ 21: "Package 'x' requires a different Python: 3.11.7 not in '>=3.99'" (from the wheel's metadata). */
export const REQUIRES_PYTHON = /^(?:ERROR: )?Package '([^']+)' requires a different Python: \S+ not in '([^']+)'/
/** pip 18: "x requires Python '>=3.99' but the running Python is 3.6.15". */
export const REQUIRES_PYTHON_18 = /^(?:ERROR: )?(\S+) requires Python '([^']+)' but the running Python is \S+/
/** pip ≥ 21.2 lists what it skipped (from the index's data-requires-python) next to "no matching distribution". */
export const IGNORED_VERSIONS = /^(?:ERROR: )?Ignored the following versions that require a different python version: (.+)$/

// --- builds -------------------------------------------------------------------------

/** pip's statement that installing the build requirements failed, per pip. */
export const BUILD_DEPS_FAILED = anyOf(
  /Installing build dependencies(?:: finished with status 'error'| \.\.\. error)/, // all, without and with a terminal
  /pip subprocess to install build dependencies did not run successfully/, // pip 23
  /(?:ERROR: )?Command errored out with exit status \d+: .* install --ignore-installed .*--prefix/, // pip 19
  /Command ".* install --ignore-installed .*--prefix .*" failed with error code/ // pip 18
)
/** pip's statement that a build step failed, per pip. */
export const BUILD_FAILED = anyOf(
  // without and with a terminal
  /(?:Preparing (?:wheel )?metadata|Getting requirements to build|Building (?:wheel|editable) for)\b.*(?:: finished with status 'error'| \.\.\. error)/,
  /.* did not run successfully\.?$/, // pip 23
  /(?:error: )?(?:metadata-generation-failed|legacy-install-failure)/, // pip 23
  /Failed building (?:wheel|editable) for|(?:ERROR: )?Could not build wheels for|(?:ERROR: )?Failed to build /,
  /Running setup\.py install for \S+ \.\.\. error/,
  /(?:ERROR: )?Command errored out with exit status \d+: (?:python setup\.py|.*_in_process\.py|.*setup\.py)/, // pip 19
  /Command "python setup\.py \S+" failed with error code/ // pip 18
)

/** Lines that are pip's, not the build's: its exceptions (with and without their module, as Python 2 prints them), its reports. */
const PIP_EXCEPTIONS = [
  'InstallationError', 'InstallationSubprocessError', 'MetadataGenerationFailed', 'DistributionNotFound', 'UnsupportedPythonVersion',
  'HashMismatch', 'HashErrors', 'BadCommand', 'CommandError', 'PreviousBuildDirError', 'NetworkConnectionError', 'ResolutionImpossible',
  'RequirementsConflicted', 'LegacyInstallFailure', 'InstallationFailed', 'SubProcessError'
]
export const PIP_OWN = anyOf(
  /pip\._\w+/,
  new RegExp(`(?:${PIP_EXCEPTIONS.join('|')})\\b`),
  /(?:ERROR: )?\[present-rich\]|(?:ERROR: )?Command errored out|.*Check the logs for full command output/,
  /error: (?:subprocess-exited-with-error|metadata-generation-failed|legacy-install-failure)\b/,
  /Traceback \(most recent call last\)|File ".*", line \d+|Exception information:/
)
/** A line that reports an error: an exception, a compiler's or git's error, a failed requirement. */
export const ERRORISH = anyOf(
  /[A-Za-z_][\w.]*(?:Error|Exception|Exit|Failure|Failed)(?::|$)/,
  /error:|Error:|fatal error:|fatal:|ERROR:/,
  /No matching distribution found for |Could not find a version that satisfies/
)

// --- broken distributions ----------------------------------------------------------

/**
 * pip ≥ 20.3 sets aside a file whose metadata contradict its name (or the `#egg=` given), then goes on to
 * report what it still lacks: "Discarding <url> (from <page>): Requested <req> from <url> has inconsistent
 * version: expected '3.0.0', but metadata has '3.0.1'". The groups: file, field, expected, found.
 */
export const INCONSISTENT = /Requested .+? from (\S+?)(?: \(from [^)]*\))? has inconsistent (version|name): expected '([^']*)', but metadata has '([^']*)'/

// --- conflicts ----------------------------------------------------------------------

/** The resolver of pip ≥ 20.3 saying it could not satisfy everything at once. */
export const RESOLUTION_IMPOSSIBLE = anyOf(/(?:ERROR: )?(?:ResolutionImpossible\b|Cannot install .* conflicting dependencies)/, /The conflict is caused by:/)
export const CANNOT_INSTALL = /^ERROR: (Cannot install .+)$/
/** One cause under "The conflict is caused by:": who asked for which requirement. */
const CAUSE = /^(?:The user requested (?:\(constraint\) )?(\S+)|(\S+) \S+ depends on (\S+))/

/** The lines under pip's "The conflict is caused by:". */
export function conflictCauses(text: PipText): string[] {
  const start = text.console.findIndex(line => line === 'The conflict is caused by:')
  if (start < 0) return []
  const causes: string[] = []
  for (const line of text.console.slice(start + 1)) {
    if (line === '' || /^To fix this/.test(line)) break
    causes.push(line)
  }
  return causes
}

/** The normalized names of the projects pip's conflict report names. */
export function causeNames(causes: string[]): Set<string> {
  const names = new Set<string>()
  for (const cause of causes) {
    for (const requirement of CAUSE.exec(cause)?.slice(1) ?? []) {
      const name = requirement && nameOf(requirement)
      if (name) names.add(normalized(name))
    }
  }
  return names
}

// --- the index ------------------------------------------------------------------------

/** A download that failed outright: pip 18 "… due to an EnvironmentError: HTTPConnectionPool(…)…", pip 23 "… due to an OSError: …". */
export const OSERROR = /^(?:ERROR: )?Could not install packages due to an (?:OSError|EnvironmentError): (.+)$/
/** Without --no-input and without a terminal, pip answers a 401 by prompting, and dies reading the answer. */
export const PROMPT = /^User for (\S+?):(?:\s|$)/
export const EOF_ERROR = /^EOFError\b/
/** pip 23: "HTTP error 404 while getting <url>". */
export const HTTP_ERROR = /^(?:ERROR: )?HTTP error (\d{3}) while getting (\S+)/
/** A connection pip retried (a warning on the console, with `--retries` above 0). */
export const RETRYING = /Retrying \(Retry\(.*\)\) after connection broken by '(.+)': (\S+)$/
export const UNTRUSTED_HOST = /The repository located at (\S+) is not a trusted or secure host and is being ignored/

// --- nothing found ----------------------------------------------------------------------

export interface NotFound {
  /** The requirement as pip printed it, without its "(from …)" notes. */
  requirement: string
  name: string
  /** pip's "(from …)" notes: the requirement that pulled it in, or the constraints file. */
  from: string[]
  versions: string[]
}

export function lastNotFound(text: PipText): NotFound | undefined {
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

// --- anything else ------------------------------------------------------------------------

export const ERROR_LINE = /^(?:ERROR|error|fatal):\s*\S/
export const TRACEBACK = 'Traceback (most recent call last):'
