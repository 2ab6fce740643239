import * as core from '@actions/core'
import type { CacheRestore, CacheSave } from '../cache/service.js'
import { shown } from '../log/escape.js'
import { warning } from '../log/log.js'
import type { Timeline } from './timeline.js'

/** What one run did, as the outputs and the summary show it. */
export interface RunReport {
  packages: string[]
  series: string
  mode: string
  /** What pip was given for the packages, one entry each, credentials hidden. */
  pipSpecs: string[]
  constraintsSource: string
  pythonPath: string
  pythonVersion: string
  /** The pip of the environment installed into, as the probe found it. */
  pipVersion?: string
  venv?: string
  /** What verification proved beyond versions and files: the drivers loaded as their services load them, or the service missing. */
  verified?: string[]
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
  core.setOutput('constraints-url', report.constraintsSource)
  core.setOutput('python-path', report.pythonPath)
  core.setOutput('cache-hit', String(report.cache?.restore?.exactHit ?? false))
  core.setOutput('config-sample', report.configSample ?? '')
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
  const rows: [string, string][] = [
    ['Release', report.series],
    ['Mode', report.mode],
    ...report.packages.map((p, i): [string, string] => [
      p,
      [report.dryRun ? 'dry run: nothing installed' : report.versions[p] ?? '', report.pipSpecs[i], report.commits[p] ? `commit ${report.commits[p]}` : '']
        .filter(Boolean)
        .join(' — ')
    ]),
    ...(report.extraRequirements.length ? [['Also installed', report.extraRequirements.join(', ')] as [string, string]] : []),
    ['Constraints', report.constraintsSource || 'none'],
    ['Python', `${report.pythonVersion}${report.pipVersion ? `, pip ${report.pipVersion}` : ''} (${report.pythonPath})`],
    ...(report.verified?.length ? [['Verified', report.verified.join('; ')] as [string, string]] : []),
    ...(report.venv ? [['Virtual environment', report.venv] as [string, string]] : []),
    ...(report.configSample ? [['Config sample', report.configSample] as [string, string]] : [])
  ]
  const c = report.cache
  if (c) {
    rows.push(['Cache', `${c.kind}, key ${c.key}`])
    if (c.restore) {
      const r = c.restore
      const size = `${mib(r.bytes)} unpacked${r.archiveBytes !== undefined ? `, ${mib(r.archiveBytes)} compressed` : ''}`
      rows.push(['Cache restore', r.matchedKey ? `${r.exactHit ? 'hit' : 'partial hit'} on ${r.matchedKey}, ${size} in ${seconds(r.ms)}` : `miss (${seconds(r.ms)})`])
    }
    if (c.save) rows.push(['Cache save', c.save.saved ? `${mib(c.save.bytes)} in ${seconds(c.save.ms)}` : 'not saved'])
  }
  try {
    await core.summary
      .addHeading(escapeHtml(`setup-nova-dpm: ${report.packages.join(', ')} for ${report.series}`), 3)
      .addTable([[{ data: 'Item', header: true }, { data: 'Value', header: true }], ...rows.map(([k, v]) => [escapeHtml(k), escapeHtml(v)])])
      .addHeading('Phases', 4)
      .addTable([
        [{ data: 'Phase', header: true }, { data: 'Time', header: true }],
        ...timeline.phases.map(p => [escapeHtml(p.name), seconds(p.ms)]),
        ['Total (phases overlap)', seconds(timeline.elapsedMs())]
      ])
      .write()
  } catch (error) {
    warning(`Could not write the job summary (${shown((error as Error).message)}); the install itself succeeded.`)
  }
}

/** Summary cells are HTML: a spec such as 'nova-dpm>=1.0.0,<2.0.0' would otherwise open a tag. */
function escapeHtml(text: string): string {
  return shown(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
