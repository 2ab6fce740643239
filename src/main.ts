import * as core from '@actions/core'
import { configNamespaces, writeConfigSample } from './config/sample.js'
import { readConstraints } from './constraints/load.js'
import { ActionError } from './errors.js'
import { listRequest } from './inputs/inputs.js'
import { readSettings } from './inputs/settings.js'
import { stopEverything } from './io/process.js'
import { shown } from './log/escape.js'
import { info, warning } from './log/log.js'
import { redact } from './log/secrets.js'
import { findInterpreter, Interpreter } from './python/interpreter.js'
import { exportVenv } from './report/exports.js'
import { setOutputs, writeSummary } from './report/report.js'
import { Timeline } from './report/timeline.js'
import { releasedSeries } from './source/releases.js'
import { resolveSources } from './source/resolve.js'
import { describeLoad, installVerified } from './steps/install.js'
import { chooseCache, describeJob, prepareJob, startCache } from './steps/job.js'

/** The story of one run: read the request, find what it needs, install, prove it, report. */
export async function run(): Promise<void> {
  const timeline = new Timeline()
  stopOnCancel()
  try {
    const listed = listRequest(name => core.getInput(name))
    if (listed) {
      const series = releasedSeries(listed).map(s => s.name)
      core.setOutput('releases', JSON.stringify(series))
      info(`Series with a release of ${listed.join(', ')}: ${series.join(', ')}. Nothing else done ('release: list').`)
      return
    }
    const settings = readSettings(name => core.getInput(name))
    core.setOutput('releases', JSON.stringify(releasedSeries(settings.packages).map(s => s.name)))
    for (const message of settings.plan.warnings) warning(message)

    // These wait on different things (an interpreter, git servers, a web host, the cache
    // library): at once. When several fail, the first in this order is reported, not whichever
    // failed first in time.
    const interpreter = await findInterpreter(settings.python)
    const probing = timeline.measure('Find Python', () => Interpreter.probe(interpreter))
    const resolving = timeline.measure('Resolve source', () => resolveSources(settings.plan, settings.network, settings.transport))
    const fetching = timeline.measure('Fetch constraints', () => readConstraints(settings.plan.constraints, settings.network, settings.transport))
    const preparing = startCache(settings, interpreter, timeline)
    await Promise.allSettled([probing, resolving, fetching, preparing])
    const [base, sources, constraints, ground] = [await probing, await resolving, await fetching, await preparing]
    const job = await prepareJob(settings, base, sources, constraints)
    const report = describeJob(job)
    let sampleFailure: unknown

    if (settings.dryRun) {
      info(`Dry run: would install ${shown(report.pipSpecs.join(' '))} into ${shown(report.pythonPath)}${job.venv ? ` (a venv made from ${shown(base.facts.executable)})` : ''}; nothing installed.`)
    } else {
      const cache = chooseCache(job, ground)
      const installed = await installVerified(job, cache, timeline)
      // Only a proved install is handed to later steps.
      if (job.venv) exportVenv(installed.python.facts.executable)
      Object.assign(report, {
        pythonPath: installed.python.facts.executable,
        pythonVersion: installed.python.facts.version,
        pipVersion: installed.python.facts.pipVersion ?? undefined,
        versions: installed.versions,
        verified: installed.loads.map(describeLoad),
        proof: installed.proof
      })
      if (cache) report.cache = { kind: cache.kind, key: cache.keys.identity, restore: installed.restore, save: installed.save }
      if (settings.configSample) {
        const file = settings.configSample
        try {
          report.configSample = await timeline.run('Write config sample', async () =>
            writeConfigSample(installed.python, await configNamespaces(installed.python, [...settings.packages, ...job.projects.names]), file, settings.workspace)
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
 * A cancelled job gets SIGINT, then SIGTERM: stop every process the action
 * started, say which, and what still runs, and fail at once. The cache is
 * saved only after verification, and nothing is exported before it, so
 * nothing half-made is ever cached or handed to later steps.
 */
function stopOnCancel(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      const { stopped, left } = stopEverything()
      const what = stopped.length ? `stopped what the action had started (${stopped.join(', ')})` : 'no process of the action was running'
      const still = left.length ? `; still running after SIGKILL: ${left.join(', ')}` : ''
      core.setFailed(`Cancelled (${signal}): ${what}${still}; nothing was cached or exported.`)
      process.exit(1)
    })
  }
}
