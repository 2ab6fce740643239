import * as core from '@actions/core'
import type { CacheRestore, CacheSave } from '../cache/service.js'
import { shown } from '../log/escape.js'
import { warning, warningsSoFar } from '../log/log.js'
import type { Proof } from '../python/verify.js'
import { sortedClosure, summaryOf } from './summary.js'
import type { Timeline } from './timeline.js'

/** What one run did, as the outputs and the summary show it. */
export interface RunReport {
  packages: string[]
  series: string
  mode: string
  /** What pip was given for the packages, one entry each, credentials hidden. */
  pipSpecs: string[]
  /** The constraints as fetched (source credentials hidden), and the pins dropped for projects from source; none with `constraints: none`. */
  constraints?: { source: string; sha256: string; lines: number; dropped: string[] }
  pythonPath: string
  pythonVersion: string
  /** The pip of the environment installed into, as the probe found it. */
  pipVersion?: string
  venv?: string
  /** What verification proved beyond versions and files: the drivers loaded as their services load them, or the service missing. */
  verified?: string[]
  /** The closure, the files and the modules verification proved; none on a dry run. */
  proof?: Proof
  versions: Record<string, string>
  commits: Record<string, string>
  extraRequirements: string[]
  configSample?: string
  dryRun: boolean
  cache?: { kind: string; key: string; restore?: CacheRestore; save?: CacheSave }
}

export function setOutputs(report: RunReport): void {
  const first = report.packages[0]
  core.setOutput('version', report.versions[first] ?? '')
  core.setOutput('versions', JSON.stringify(report.versions))
  core.setOutput('commit', report.commits[first] ?? '')
  core.setOutput('commits', JSON.stringify(report.commits))
  core.setOutput('pip-spec', report.pipSpecs.join(' '))
  core.setOutput('constraints-url', report.constraints?.source ?? '')
  core.setOutput('python-path', report.pythonPath)
  core.setOutput('cache-hit', String(report.cache?.restore?.exactHit ?? false))
  core.setOutput('config-sample', report.configSample ?? '')
  core.setOutput('closure', JSON.stringify(Object.fromEntries(sortedClosure(report.proof?.closure ?? {}))))
}

/**
 * The job summary. Only the install decides the step's result: a summary
 * file that is missing or cannot be written is a warning.
 */
export async function writeSummary(report: RunReport, timeline: Timeline): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    warning('GITHUB_STEP_SUMMARY is not set, so there is no job summary; the outputs and the log hold the same facts.')
    return
  }
  const summary = summaryOf(report, warningsSoFar(), { phases: timeline.phases, totalMs: timeline.elapsedMs() })
  try {
    core.summary
      .addHeading(escapeHtml(summary.heading), 3)
      .addTable([[{ data: 'Item', header: true }, { data: 'Value', header: true }], ...summary.rows.map(([k, v]) => [escapeHtml(k), escapeHtml(v)])])
    for (const { label, items, sentences } of summary.details) {
      core.summary.addDetails(escapeHtml(label), sentences ? `<ul>${items.map(i => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` : items.map(escapeHtml).join(', '))
    }
    await core.summary
      .addHeading('Phases', 4)
      .addTable([[{ data: 'Phase', header: true }, { data: 'Time', header: true }], ...summary.phases.map(([k, v]) => [escapeHtml(k), escapeHtml(v)])])
      .write()
  } catch (error) {
    warning(`Could not write the job summary (${shown((error as Error).message)}); the install itself succeeded.`)
  }
}

/** Summary cells are HTML: a spec such as 'nova-dpm>=1.0.0,<2.0.0' would otherwise open a tag. */
function escapeHtml(text: string): string {
  return shown(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
