import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as core from '@actions/core'
import { cacheKeys } from './cache/keys.js'
import { cacheServiceAvailable } from './cache/service.js'
import { PipCache, VenvCache, type CacheStrategy } from './cache/strategies.js'
import { configNamespaces, writeConfigSample } from './config/sample.js'
import { readConstraints, writeConstraints, type ConstraintsFile } from './constraints/load.js'
import { ActionError } from './errors.js'
import { stopAll } from './io/process.js'
import { runTempDir } from './io/tempDir.js'
import { treeHash } from './io/treeHash.js'
import { readSettings, type Settings } from './inputs/settings.js'
import { shown } from './log/escape.js'
import { info, notice, warning } from './log/log.js'
import { redact } from './log/secrets.js'
import { pipInstall } from './python/install.js'
import { findInterpreter, Interpreter } from './python/interpreter.js'
import { verifyEnvironment, type Expected } from './python/verify.js'
import { createVenv, venvPython, venvState } from './python/venv.js'
import { exportVenv } from './report/exports.js'
import { setOutputs, writeSummary, type RunReport } from './report/report.js'
import { Timeline } from './report/timeline.js'
import { localProjectName } from './source/localProject.js'
import { untestedPython } from './source/plan.js'
import { RUNTIME_PKG_RESOURCES, releasedSeries } from './source/releases.js'
import { requirementLines } from './source/requirements.js'
import { resolveSources, type Source } from './source/resolve.js'
import { inRange } from './source/versions.js'

/** The story of one run: read the request, find what it needs, install, prove it, report. */
export async function run(): Promise<void> {
  const timeline = new Timeline()
  stopOnCancel()
  try {
    const settings = readSettings(name => core.getInput(name))
    core.setOutput('releases', JSON.stringify(releasedSeries(settings.packages).map(s => s.name)))
    for (const message of settings.plan.warnings) warning(message)

    // These wait on different things (an interpreter, git servers, a web host): at once.
    const [base, sources, constraints] = await Promise.all([
      timeline.measure('Find Python', async () => Interpreter.probe(await findInterpreter(settings.python))),
      timeline.measure('Resolve source', () => resolveSources(settings.plan, settings.network, settings.transport)),
      timeline.measure('Fetch constraints', () => readConstraints(settings.plan.constraints, settings.network, settings.transport))
    ])
    const untested = untestedPython(settings.series, base.facts)
    if (untested) warning(untested)
    const projects = await localProjects(settings, base)
    const fromSource = [...sources.filter(s => s.commit).map(s => s.name), ...projects.names]
    const constraintsFile = constraints && writeConstraints(constraints, fromSource)
    const venv = wantsVenv(settings, base) ? settings.venvPath : undefined
    const report = newReport(settings, sources, constraintsFile, base, venv)
    let sampleFailure: unknown

    if (settings.dryRun) {
      info(`Dry run: would install ${shown(report.pipSpecs.join(' '))} into ${shown(report.pythonPath)}${venv ? ` (a venv made from ${shown(base.facts.executable)})` : ''}; nothing installed.`)
    } else {
      const cache = await chooseCache(settings, base, venv, sources, constraintsFile, projects.hash)
      if (cache) report.cache = { kind: cache.kind, key: cache.keys.identity }
      const target = await installVerified(settings, base, venv, sources, constraintsFile, cache, report, timeline, untested)
      if (venv) exportVenv(target.facts.executable)
      Object.assign(report, { pythonPath: target.facts.executable, pythonVersion: target.facts.version })
      if (settings.configSample) {
        const file = settings.configSample
        try {
          report.configSample = await timeline.run('Write config sample', async () =>
            writeConfigSample(target, await configNamespaces(target, [...settings.packages, ...projects.names]), file)
          )
        } catch (error) {
          sampleFailure = error
        }
      }
    }
    // The install stands without the sample: a step with continue-on-error still hands its outputs on.
    setOutputs(report)
    await writeSummary(report, timeline)
    if (sampleFailure) throw sampleFailure
  } catch (error) {
    if (error instanceof ActionError) {
      core.setFailed(redact(error.message))
    } else {
      core.debug(redact((error as Error).stack ?? String(error)))
      core.setFailed(`setup-nova-dpm failed unexpectedly: ${shown(redact((error as Error).message))}. Please report this with the step's log.`)
    }
  }
}

/**
 * Installs into the interpreter or a venv of the action's own, with the
 * cache around it, and proves the result. A venv cache entry that proves
 * good needs no pip at all; one that does not is rebuilt and saved anew.
 */
async function installVerified(
  settings: Settings,
  base: Interpreter,
  venv: string | undefined,
  sources: Source[],
  constraints: ConstraintsFile | undefined,
  cache: CacheStrategy | undefined,
  report: RunReport,
  timeline: Timeline,
  untested: string | undefined
): Promise<Interpreter> {
  const expected = expectations(settings)
  if (venv && venvState(venv) === 'foreign') {
    throw new ActionError(
      `'venv-path' ${shown(venv)} is a directory with files that the action did not create; it never clears or overwrites such a directory. Point 'venv-path' at a new or empty directory, or remove it yourself.`
    )
  }
  if (cache) report.cache!.restore = await timeline.run(`Restore ${cache.kind} cache`, () => cache.restore())
  if (venv && cache?.kind === 'venv' && report.cache!.restore?.exactHit) {
    const cached = await timeline.run('Verify cached venv', async () => {
      const python = await Interpreter.probe(venvPython(venv))
      const { versions, problems } = await verifyEnvironment(python, expected, { timeoutMs: VERIFY_LIMIT_MS })
      if (problems.length === 0) return { python, versions }
      warning(`The cached venv failed verification (${shown(problems.join('; '))}); rebuilding it and saving it under a new key.`)
      return undefined
    })
    if (cached) {
      info(`Cached venv holds ${Object.entries(cached.versions).map(([n, v]) => `${n} ${v}`).join(', ')}; pip not needed.`)
      report.versions = pick(cached.versions, settings.packages)
      return cached.python
    }
    report.cache!.restore = { ...report.cache!.restore, exactHit: false }
  }
  const target = venv ? await timeline.run('Create venv', () => createVenv(base, venv)) : base
  const extra = requirementLines(settings.requirements)
  const requirements = [...sources.map(s => s.requirement), ...(extra.length ? ['-r', requirementsFile(extra)] : [])]
  const asked = [...sources.map(s => s.requirement), ...extra]
  if (!target.facts.hasPkgResources) {
    info(`${shown(target.facts.executable)} has no working pkg_resources, which pbr needs when nova-dpm and networking-dpm are imported; installing '${RUNTIME_PKG_RESOURCES}' alongside.`)
    requirements.push(RUNTIME_PKG_RESOURCES)
    asked.push(RUNTIME_PKG_RESOURCES)
  }
  await timeline.run(`Install ${settings.packages.join(', ')}`, () =>
    pipInstall(
      target,
      { requirements, constraintsFile: constraints?.file, constraintsText: constraints?.text, indexUrl: settings.indexUrl, networkArgs: settings.network.pipArgs },
      {
        rule: settings.transport,
        timeoutSeconds: settings.network.timeoutSeconds,
        repositories: [...settings.plan.packages.flatMap(p => (p.git ? [p.git.repository] : [])), ...settings.requirements.flatMap(r => (r.kind === 'url' ? [r.url] : []))],
        packages: settings.packages,
        redacted: asked.map(redact),
        untestedPython: untested
      }
    )
  )
  const { versions, problems } = await timeline.run('Verify', () => verifyEnvironment(target, expected, { timeoutMs: VERIFY_LIMIT_MS }))
  if (problems.length > 0) throw new ActionError(`The install did not prove good: ${shown(problems.join('; '))}`)
  report.versions = pick(versions, settings.packages)
  // Saved here, not in a post step, so that a later failing step cannot lose it.
  if (cache && !report.cache!.restore?.exactHit) report.cache!.save = await timeline.run('Save cache', () => cache.save())
  return target
}

const VERIFY_LIMIT_MS = 5 * 60 * 1000

/**
 * The `requirements` lines go to pip as a requirements file, as they were
 * written for one: `-e /w/proj` or `-e "/w/my project"` is a line there, but
 * as a single command-line argument pip reads the path with its leading space.
 */
function requirementsFile(lines: string[]): string {
  const file = path.join(runTempDir(), 'requirements.txt')
  fs.writeFileSync(file, `${lines.join('\n')}\n`)
  info(`The 'requirements' lines, handed to pip in ${shown(file)}: ${lines.map(l => shown(redact(l))).join(' | ')}`)
  return file
}

/** What verification proves: each package installed in its range, its dependencies met, its module importable. */
function expectations(settings: Settings): Expected[] {
  return settings.plan.packages.map(p => ({ name: p.name, module: p.module, range: p.specifier ? (v: string) => inRange(v, p.specifier!) : undefined }))
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

async function chooseCache(
  settings: Settings,
  base: Interpreter,
  venv: string | undefined,
  sources: Source[],
  constraints: ConstraintsFile | undefined,
  projectsHash: string
): Promise<CacheStrategy | undefined> {
  if (settings.cache === 'false') return undefined
  if (!(await cacheServiceAvailable())) {
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
    requirements: [...sources.map(s => s.requirement), ...requirementLines(settings.requirements)],
    constraintsHash: constraints?.sha256 ?? 'none',
    indexUrl: settings.indexUrl,
    projectsHash,
    suffix: settings.cacheKeySuffix
  })
  const timeout = settings.network.timeoutSeconds
  return settings.cache === 'venv' ? new VenvCache(keys, venv!, timeout) : new PipCache(base, keys, timeout)
}

/** The local projects in `requirements`: their names (for the constraints) and a digest of their files (for the cache). */
async function localProjects(settings: Settings, base: Interpreter): Promise<{ names: string[]; hash: string }> {
  const names: string[] = []
  const digests: string[] = []
  for (const r of settings.requirements) {
    if (r.kind === 'path') {
      names.push(await localProjectName(r.path, dir => base.setupPyName(dir)))
      digests.push(treeHash(r.path))
    } else if (r.kind === 'url' && r.name) {
      names.push(r.name)
    }
  }
  return { names, hash: digests.join(',') }
}

function newReport(settings: Settings, sources: Source[], constraints: ConstraintsFile | undefined, base: Interpreter, venv: string | undefined): RunReport {
  return {
    packages: settings.packages,
    series: settings.series.name,
    mode: settings.mode,
    pipSpecs: sources.map(s => redact(s.requirement)),
    constraintsSource: constraints?.source ?? '',
    pythonPath: venv ? venvPython(venv) : base.facts.executable,
    pythonVersion: base.facts.version,
    venv,
    versions: {},
    commits: Object.fromEntries(sources.filter(s => s.commit).map(s => [s.name, s.commit])),
    extraRequirements: requirementLines(settings.requirements).map(redact),
    dryRun: settings.dryRun
  }
}

function pick(versions: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map(n => [n, versions[n] ?? '']))
}

/**
 * A cancelled job gets SIGINT, then SIGTERM: stop every process tree the
 * action started and fail at once. The cache is saved only after
 * verification, and nothing is exported before it, so nothing half-made is
 * ever cached or handed to later steps.
 */
function stopOnCancel(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopAll(signal)
      core.setFailed(`Cancelled (${signal}): pip and every process the action started were stopped; nothing was cached or exported.`)
      process.exit(1)
    })
  }
}
