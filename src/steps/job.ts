import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { cacheKeys } from '../cache/keys.js'
import { PipCache, prepareCache, VenvCache, type CacheGround, type CacheStrategy } from '../cache/strategies.js'
import { writeConstraints, type Constraints, type ConstraintsFile } from '../constraints/load.js'
import { ActionError } from '../errors.js'
import type { Settings } from '../inputs/settings.js'
import { runTempDir } from '../io/tempDir.js'
import { treeHash } from '../io/treeHash.js'
import { shown } from '../log/escape.js'
import { info, notice, warning } from '../log/log.js'
import { redact } from '../log/secrets.js'
import type { Interpreter } from '../python/interpreter.js'
import { venvPython } from '../python/venv.js'
import type { RunReport } from '../report/report.js'
import type { Timeline } from '../report/timeline.js'
import { localProjectName } from '../source/localProject.js'
import { untestedPython } from '../source/plan.js'
import { requirementLines } from '../source/requirements.js'
import type { Source } from '../source/resolve.js'

/** Everything one install needs, decided before anything is installed. */
export interface Job {
  settings: Settings
  base: Interpreter
  /** The action's own venv, or undefined to install into `base`. */
  venv?: string
  sources: Source[]
  /** The `requirements` lines, as pip reads them from a file. */
  extraLines: string[]
  constraints?: ConstraintsFile
  /** Why this interpreter may not suit the series, when it may not. */
  untested?: string
  /** Local projects: names (their pins are dropped, their namespaces sampled) and a digest of their files (for the cache). */
  projects: { names: string[]; hash: string; /** Those installed editable (`-e`). */ editable: string[] }
}

/**
 * Decides what the install needs from what the run found: the interpreter's
 * fitness for the series, the local projects, the constraints pip gets (without
 * the pins of what comes from source), and where the install goes.
 */
export async function prepareJob(settings: Settings, base: Interpreter, sources: Source[], constraints: Constraints | undefined): Promise<Job> {
  const untested = untestedPython(settings.series, settings.packages, base.facts)
  // A dry run installs nothing, so it warns about nothing an install would meet.
  if (untested && !settings.dryRun) warning(untested)
  const projects = await localProjects(settings, base)
  const fromSource = [...sources.filter(s => s.commit).map(s => s.name), ...projects.names]
  const venv = wantsVenv(settings, base) ? settings.venvPath : undefined
  checkPipEnvironment(base, venv)
  return {
    settings,
    base,
    venv,
    sources,
    extraLines: requirementLines(settings.requirements),
    constraints: constraints && writeConstraints(constraints, fromSource),
    untested,
    projects
  }
}

/**
 * A venv of the action's own when asked for, when the venv cache needs one,
 * or when the interpreter forbids installs into itself (PEP 668): such an
 * interpreter is never forced with --break-system-packages.
 */
function wantsVenv(settings: Settings, base: Interpreter): boolean {
  if (settings.cache === 'venv' || settings.venv === 'true') return true
  if (!base.facts.externallyManaged) return false
  if (settings.venv === 'false') {
    throw new ActionError(
      `${shown(base.facts.executable)} is externally managed (PEP 668): its distribution forbids pip installs into it, and 'venv: false' forbids a venv. Set 'venv: auto', or use actions/setup-python.`
    )
  }
  notice(`${shown(base.facts.executable)} is externally managed (PEP 668); installing into a virtual environment instead, exported for later steps.`)
  return true
}

/**
 * pip settings of the job's environment that would send the install where the
 * interpreter does not look, or refuse it: named before pip runs, with the fix.
 */
function checkPipEnvironment(base: Interpreter, venv: string | undefined, env: NodeJS.ProcessEnv = process.env): void {
  if (env.PIP_TARGET) {
    throw new ActionError(
      `PIP_TARGET is set (${shown(env.PIP_TARGET)}): pip would install there, where ${shown(venv ? venvPython(venv) : base.facts.executable)} does not look, and the install could not be used or verified. Unset PIP_TARGET for this step.`
    )
  }
  const required = /^(1|true|yes|on)$/i.test(env.PIP_REQUIRE_VIRTUALENV ?? '')
  if (required && !venv && !base.facts.inVirtualEnv) {
    throw new ActionError(
      `PIP_REQUIRE_VIRTUALENV is set, so pip refuses to install into ${shown(base.facts.executable)}, which is not a virtual environment. Set 'venv: true' to install into a venv of the action's own, or unset PIP_REQUIRE_VIRTUALENV for this step.`
    )
  }
}

async function localProjects(settings: Settings, base: Interpreter): Promise<Job['projects']> {
  const names: string[] = []
  const editable: string[] = []
  const digests: string[] = []
  for (const r of settings.requirements) {
    let name: string | undefined
    if (r.kind === 'path') {
      name = await localProjectName(r.path, dir => base.setupPyName(dir))
      digests.push(treeHash(r.path))
    } else if (r.kind === 'url' && r.name) {
      name = r.name
    }
    if (name === undefined) continue
    names.push(name)
    if (r.kind !== 'specifier' && r.editable) editable.push(name)
  }
  return { names, hash: digests.join(','), editable }
}

/** What pip is asked for, as the cache key and the failure report see it: one entry per requirement. */
export function askedFor(job: Job): string[] {
  return [...job.sources.map(s => s.requirement), ...job.extraLines]
}

/**
 * The `requirements` lines go to pip as a requirements file, as they were
 * written for one: `-e /w/proj` or `-e "/w/my project"` is a line there, but
 * as a single command-line argument pip reads the path with its leading space.
 */
export function requirementsFile(lines: string[]): string {
  const file = path.join(runTempDir(), 'requirements.txt')
  fs.writeFileSync(file, `${lines.join('\n')}\n`)
  info(`The 'requirements' lines, handed to pip in ${shown(file)}: ${lines.map(l => shown(redact(l))).join(' | ')}`)
  return file
}

/** What the run's cache needs, started beside the interpreter probe; nothing for a dry run or `cache: false`. */
export async function startCache(settings: Settings, executable: string, timeline: Timeline): Promise<CacheGround | undefined> {
  const kind = settings.cache
  if (kind === 'false' || settings.dryRun) return undefined
  return timeline.measure('Prepare cache', () => prepareCache(kind, executable, settings.network.timeoutSeconds))
}

/** The cache strategy of this run, or undefined when there is none to use. */
export function chooseCache(job: Job, ground: CacheGround | undefined): CacheStrategy | undefined {
  const { settings, base } = job
  if (settings.cache === 'false' || !ground) return undefined
  if (!ground.available) {
    warning('The GitHub Actions cache service is not available to this job (no ACTIONS_RESULTS_URL / ACTIONS_CACHE_URL); installing without the cache.')
    return undefined
  }
  const keys = cacheKeys({
    kind: settings.cache,
    os: process.env.RUNNER_OS || os.platform(),
    arch: process.env.RUNNER_ARCH || os.arch(),
    pythonVersion: base.facts.version,
    pythonAbi: base.facts.abi,
    baseExecutable: settings.cache === 'venv' ? base.facts.baseExecutable : undefined,
    packages: settings.packages,
    series: settings.series.name,
    mode: settings.mode,
    requirements: askedFor(job),
    constraintsHash: job.constraints?.sha256 ?? 'none',
    indexUrl: settings.indexUrl,
    projectsHash: job.projects.hash,
    suffix: settings.cacheKeySuffix
  })
  const timeout = settings.network.timeoutSeconds
  return settings.cache === 'venv' ? new VenvCache(keys, job.venv!, base, timeout) : new PipCache(ground.pipDir!, keys, timeout)
}

/** The report of a run before it installs: what it will install, from where, into what. */
export function describeJob(job: Job): RunReport {
  const { settings } = job
  return {
    packages: settings.packages,
    series: settings.series.name,
    mode: settings.mode,
    pipSpecs: job.sources.map(s => redact(s.requirement)),
    constraints: job.constraints && {
      source: job.constraints.source,
      sha256: job.constraints.fetched.sha256,
      lines: job.constraints.fetched.lines,
      dropped: job.constraints.dropped
    },
    pythonPath: job.venv ? venvPython(job.venv) : job.base.facts.executable,
    pythonVersion: job.base.facts.version,
    venv: job.venv,
    versions: {},
    commits: Object.fromEntries(job.sources.filter(s => s.commit).map(s => [s.name, s.commit])),
    extraRequirements: job.extraLines.map(redact),
    dryRun: settings.dryRun
  }
}
