import * as os from 'node:os'
import * as core from '@actions/core'
import { cacheServiceAvailable, restoreDir, saveDir } from './cache.js'
import { stopAll } from './command.js'
import { cacheKeys } from './cacheKey.js'
import { loadConstraints, type LoadedConstraints } from './constraintsFile.js'
import { exportVenv, untestedPythonWarning, venvDir, wantsVenv } from './environment.js'
import { ActionError } from './errors.js'
import { resolveGitRef, type ResolvedSource } from './git.js'
import { credentialsIn, parseInputs, redact, type Config } from './inputs.js'
import { describeLeftovers, explainPipFailure, pipInstallArgs } from './install.js'
import { gitRequirement, makePlan, type Plan } from './plan.js'
import { createVenv, describePython, findPython, installedDistributions, pip, venvPython, type PythonInfo } from './python.js'
import { releasedSeries } from './releases.js'
import { setOutputs, Timeline, writeSummary, type RunReport } from './report.js'
import { verifyInstall } from './verify.js'

export async function run(): Promise<void> {
  const timeline = new Timeline()
  stopOnCancel()
  try {
    const config = parseInputs(name => core.getInput(name))
    for (const secret of credentialsIn(config)) core.setSecret(secret)
    const plan = makePlan(config)
    core.setOutput('releases', JSON.stringify(releasedSeries().map(s => s.name)))
    for (const warning of plan.warnings) core.warning(warning)

    const base = await timeline.run('Find Python', async () => describePython(await findPython(config.python)))
    const untested = untestedPythonWarning(config.series, base)
    if (untested) core.warning(untested)
    const source = await timeline.run('Resolve source', () => resolveSource(plan, config))
    const constraints = await timeline.run('Fetch constraints', () => loadConstraints(plan, config.network))
    const report: RunReport = {
      package: plan.package,
      series: plan.series,
      mode: plan.mode,
      pipSpec: redact(source.requirement),
      constraintsUrl: constraints?.source ?? '',
      pythonPath: base.path,
      pythonVersion: base.version,
      version: '',
      commit: source.commit,
      dryRun: config.dryRun
    }
    if (config.dryRun) {
      core.info(`Dry run: would install '${report.pipSpec}' into ${base.path}; nothing installed.`)
    } else {
      await install(config, plan, base, source, constraints, report, timeline)
    }
    setOutputs(report)
    await writeSummary(report, timeline)
  } catch (error) {
    if (error instanceof ActionError) {
      core.setFailed(error.message)
    } else {
      core.debug((error as Error).stack ?? String(error))
      core.setFailed(`setup-nova-dpm failed unexpectedly: ${(error as Error).message}. Please report this with the step's log.`)
    }
  }
}

async function resolveSource(plan: Plan, config: Config): Promise<ResolvedSource> {
  if (plan.release) return { requirement: plan.release.requirement, commit: '' }
  const git = plan.git!
  const { sha } = await resolveGitRef(git, plan.series, config.network)
  return { requirement: gitRequirement(plan.package, git.repository, sha), commit: sha }
}

/**
 * Installs into the interpreter or a venv, with the cache around it. A venv
 * restored under the exact key is verified and used without running pip.
 */
async function install(
  config: Config,
  plan: Plan,
  base: PythonInfo,
  source: ResolvedSource,
  constraints: LoadedConstraints | undefined,
  report: RunReport,
  timeline: Timeline
): Promise<void> {
  const venv = wantsVenv(config, base) ? venvDir(config) : undefined
  const cacheKind = config.cache === 'false' ? undefined : config.cache
  const useCache = cacheKind !== undefined && cacheServiceAvailable()
  if (cacheKind && !useCache) {
    core.warning('The GitHub Actions cache service is not available to this job (no ACTIONS_RESULTS_URL / ACTIONS_CACHE_URL); installing without the cache.')
  }
  const keys = cacheKind
    ? cacheKeys({
        kind: cacheKind,
        os: process.env.RUNNER_OS || os.platform(),
        arch: process.env.RUNNER_ARCH || os.arch(),
        pythonVersion: base.version,
        pythonAbi: base.abi,
        baseExecutable: cacheKind === 'venv' ? base.baseExecutable : undefined,
        package: plan.package,
        series: plan.series,
        mode: plan.mode,
        resolved: source.commit || source.requirement,
        constraintsHash: constraints?.sha256 ?? 'none',
        indexUrl: config.indexUrl,
        suffix: config.cacheKeySuffix
      })
    : undefined
  if (keys) report.cache = { kind: cacheKind!, key: keys.key }

  let python = base.path
  if (venv) {
    if (useCache && cacheKind === 'venv' && keys) {
      const restore = await timeline.run('Restore venv cache', () => restoreDir(venv, keys.key, keys.restoreKeys))
      report.cache!.restore = restore
      if (restore.exactHit) {
        const version = await timeline.run('Verify cached venv', () => verifyCachedVenv(venv, plan))
        if (version) {
          exportVenv(venv)
          Object.assign(report, { version, pythonPath: venvPython(venv) })
          return
        }
        report.cache!.restore = { ...restore, exactHit: false }
      }
    }
    python = await timeline.run('Create venv', () => createVenv(base.path, venv))
    exportVenv(venv)
  }

  const pipCacheDir = useCache && cacheKind === 'pip' && keys ? await findPipCacheDir(python) : undefined
  if (pipCacheDir && keys) {
    report.cache!.restore = await timeline.run('Restore pip cache', () => restoreDir(pipCacheDir, keys.key, keys.restoreKeys))
  }
  await timeline.run(`Install ${plan.package}`, async () => {
    const before = await installedDistributions(python)
    const result = await pip(python, pipInstallArgs(source.requirement, constraints?.file, config.indexUrl, config.network.pipArgs))
    if (result.exitCode !== 0) {
      const reason = explainPipFailure(`${result.stdout}\n${result.stderr}`, plan, untestedPythonWarning(config.series, base))
      const leftovers = describeLeftovers(before, await installedDistributions(python), plan.package)
      throw new ActionError(`${reason}\n${leftovers}`)
    }
  })
  const version = await timeline.run('Verify', () => verifyInstall(python, plan))
  Object.assign(report, { version, pythonPath: python })

  // Saved here, not in a post step, so a later failing step cannot lose it.
  const savedDir = cacheKind === 'venv' ? venv : pipCacheDir
  if (useCache && keys && savedDir && !report.cache!.restore?.exactHit) {
    report.cache!.save = await timeline.run('Save cache', () => saveDir(savedDir, keys.key))
  }
}

async function verifyCachedVenv(venv: string, plan: Plan): Promise<string | undefined> {
  try {
    const version = await verifyInstall(venvPython(venv), plan)
    core.info(`Cached venv holds ${plan.package} ${version}; pip not needed.`)
    return version
  } catch (error) {
    core.warning(`The cached venv failed verification (${(error as Error).message}); rebuilding it.`)
    return undefined
  }
}

async function findPipCacheDir(python: string): Promise<string | undefined> {
  const result = await pip(python, ['cache', 'dir'])
  const dir = result.stdout.trim().split('\n').pop()
  if (result.exitCode !== 0 || !dir) {
    core.info(`pip's cache is disabled for ${python}; nothing to cache.`)
    return undefined
  }
  return dir
}

/**
 * A cancelled job gets SIGINT, then SIGTERM: stop pip with it and fail at
 * once. The cache is saved only after verification, so nothing half-installed
 * is ever saved.
 */
function stopOnCancel(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopAll(signal)
      core.setFailed(`Cancelled (${signal}): pip was stopped and nothing was cached; the environment may be partly installed.`)
      process.exit(1)
    })
  }
}
