import * as core from '@actions/core'
import type { CacheRestore, CacheSave } from './cache.js'

/** Times each phase of the run and shows it as a collapsible log group. */
export class Timeline {
  readonly phases: { name: string; ms: number }[] = []

  async run<T>(name: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now()
    try {
      return await core.group(name, work)
    } finally {
      this.phases.push({ name, ms: Date.now() - started })
    }
  }
}

export interface RunReport {
  package: string
  series: string
  mode: string
  pipSpec: string
  constraintsUrl: string
  pythonPath: string
  pythonVersion: string
  version: string
  commit: string
  dryRun: boolean
  cache?: { kind: string; key: string; restore?: CacheRestore; save?: CacheSave }
}

export function setOutputs(report: RunReport): void {
  core.setOutput('version', report.version)
  core.setOutput('pip-spec', report.pipSpec)
  core.setOutput('constraints-url', report.constraintsUrl)
  core.setOutput('python-path', report.pythonPath)
  core.setOutput('commit', report.commit)
  core.setOutput('cache-hit', String(report.cache?.restore?.exactHit ?? false))
}

export async function writeSummary(report: RunReport, timeline: Timeline): Promise<void> {
  const rows: [string, string][] = [
    ['Package', report.package],
    ['Release', report.series],
    ['Mode', report.mode],
    ['Requirement', report.pipSpec],
    ['Constraints', report.constraintsUrl || 'none'],
    ['Python', `${report.pythonVersion} (${report.pythonPath})`],
    ['Installed version', report.dryRun ? 'dry run: nothing installed' : report.version]
  ]
  if (report.commit) rows.push(['Commit', report.commit])
  const c = report.cache
  if (c) {
    rows.push(['Cache', `${c.kind}, key ${c.key}`])
    if (c.restore) {
      const r = c.restore
      rows.push(['Cache restore', r.matchedKey ? `${r.exactHit ? 'hit' : `partial hit (${r.matchedKey})`}, ${mib(r.bytes)} in ${seconds(r.ms)}` : `miss (${seconds(r.ms)})`])
    }
    if (c.save) rows.push(['Cache save', c.save.saved ? `${mib(c.save.bytes)} in ${seconds(c.save.ms)}` : 'not saved'])
  }
  await core.summary
    .addHeading(`setup-nova-dpm: ${report.package} for ${report.series}`, 3)
    .addTable([[{ data: 'Item', header: true }, { data: 'Value', header: true }], ...rows.map(([k, v]) => [k, escapeHtml(v)])])
    .addHeading('Phases', 4)
    .addTable([
      [{ data: 'Phase', header: true }, { data: 'Time', header: true }],
      ...timeline.phases.map(p => [p.name, seconds(p.ms)])
    ])
    .write()
}

// Table cells are HTML: a spec such as 'nova-dpm>=1.0.0,<2.0.0' would otherwise open a tag.
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
