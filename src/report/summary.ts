import { shown } from '../log/escape.js'
import type { RunReport } from './report.js'

/** The job summary as data: one table of the same rows in every job, the long lists below it, the phases' times. */
export interface Summary {
  heading: string
  rows: [string, string][]
  /** Collapsed lists under the table: a 150-distribution closure would drown it on a phone. Words run on; sentences are a list. */
  details: { label: string; items: string[]; sentences: boolean }[]
  phases: [string, string][]
}

/**
 * The summary of a run. Every job of a matrix shows the same rows in the same
 * order, `none` where a job has nothing to show, so that six pages can be read
 * side by side; the only rows that vary are the packages asked for. Cells stay
 * short (two columns read on a phone): lists longer than a few words go below.
 */
export function summaryOf(report: RunReport, warnings: readonly string[], timing: { phases: { name: string; ms: number }[]; totalMs: number }): Summary {
  const installed = !report.dryRun
  const closure = report.proof ? sortedClosure(report.proof.closure).map(([name, version]) => `${name} ${version}`) : []
  const rows: [string, string][] = [
    ['Release', report.series],
    ['Mode', report.mode],
    ...report.packages.map((p, i): [string, string] => [p, packageCell(report, p, i)]),
    ['Also installed', list(report.extraRequirements)],
    ['Installed closure', report.proof ? `${count(closure.length, 'distribution')} (listed below)` : nothing(installed)],
    ['Constraints', report.constraints?.source ?? 'none'],
    ['Constraints file', report.constraints ? `${report.constraints.lines} lines, sha256 ${report.constraints.sha256}` : 'none'],
    ['Pins dropped', list(report.constraints?.dropped ?? [])],
    ['Python', `${report.pythonVersion}${report.pipVersion ? `, pip ${report.pipVersion}` : ''} (${report.pythonPath})`],
    ['Virtual environment', report.venv ?? 'none'],
    ['Verified', report.proof ? verifiedCell(report.proof) : nothing(installed)],
    ['Driver loads', report.verified?.length ? report.verified.join('; ') : nothing(installed)],
    ['Config sample', report.configSample ?? 'none'],
    ...cacheRows(report.cache),
    ['Warnings', warnings.length ? `${warnings.length} (listed below)` : 'none']
  ]
  const details: Summary['details'] = []
  if (report.proof) details.push({ label: `Installed closure (${count(closure.length, 'distribution')})`, items: closure, sentences: false })
  if (warnings.length) details.push({ label: `Warnings (${warnings.length})`, items: [...warnings], sentences: true })
  return {
    heading: `setup-nova-dpm: ${report.packages.join(', ')} for ${report.series}`,
    rows: rows.map(([k, v]) => [shown(k), shown(v)]),
    details: details.map(d => ({ ...d, label: shown(d.label), items: d.items.map(shown) })),
    phases: [...timing.phases.map((p): [string, string] => [shown(p.name), seconds(p.ms)]), ['Total (phases overlap)', seconds(timing.totalMs)]]
  }
}

/** The closure by name, case aside, as `pip list` orders it. */
export function sortedClosure(closure: Record<string, string>): [string, string][] {
  return Object.entries(closure).sort(([a], [b]) => a.toLowerCase().localeCompare(b.toLowerCase()))
}

function packageCell(report: RunReport, p: string, i: number): string {
  const version = report.dryRun ? 'dry run: nothing installed' : report.versions[p] ?? ''
  return [version, report.pipSpecs[i], report.commits[p] ? `commit ${report.commits[p]}` : ''].filter(Boolean).join(' — ')
}

function verifiedCell(proof: NonNullable<RunReport['proof']>): string {
  const files = `${count(proof.files.checked, 'file')} (${proof.files.hashed} by hash)`
  return `${count(Object.keys(proof.closure).length, 'distribution')}, ${files}; imported ${proof.modules.join(', ') || 'none'}`
}

function cacheRows(c: RunReport['cache']): [string, string][] {
  if (!c) return [['Cache', 'none'], ['Cache restore', 'none'], ['Cache save', 'none']]
  const r = c.restore
  const size = r && `${mib(r.bytes)} unpacked${r.archiveBytes !== undefined ? `, ${mib(r.archiveBytes)} compressed` : ''}`
  const restore = !r ? 'none' : r.matchedKey ? `${r.exactHit ? 'hit' : 'partial hit'} on ${r.matchedKey}, ${size} in ${seconds(r.ms)}` : `miss (${seconds(r.ms)})`
  const save = c.save?.saved ? `${mib(c.save.bytes)} in ${seconds(c.save.ms)}` : r?.exactHit ? 'not needed (exact hit)' : 'not saved'
  return [['Cache', `${c.kind}, key ${c.key}`], ['Cache restore', restore], ['Cache save', save]]
}

function nothing(installed: boolean): string {
  return installed ? 'none' : 'none (dry run)'
}

function list(items: readonly string[]): string {
  return items.length ? items.join(', ') : 'none'
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
