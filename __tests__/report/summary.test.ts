import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { RunReport } from '../../src/report/report.js'
import { summaryOf } from '../../src/report/summary.js'

const DIGEST = 'a'.repeat(64)

/** A queens job of nova-dpm from git, in a venv, with the pip cache saved and the ocata-era warning. */
function installedReport(): RunReport {
  return {
    packages: ['nova-dpm'],
    series: 'queens',
    mode: 'stable',
    pipSpecs: ['git+https://opendev.org/x/nova-dpm@abc#egg=nova-dpm'],
    constraints: { source: 'https://opendev.org/openstack/requirements/raw/branch/stable/queens/upper-constraints.txt', sha256: DIGEST, lines: 512, dropped: ['nova-dpm===3.0.0'] },
    pythonPath: '/venv/bin/python',
    pythonVersion: '3.6.15',
    pipVersion: '21.3.1',
    venv: '/venv',
    verified: ['nova-dpm loads the way nova loads it: nova_dpm.virt.dpm.driver.DPMDriver is a nova.virt.driver.ComputeDriver'],
    proof: {
      closure: { 'nova-dpm': '3.0.1.dev2', zhmcclient: '0.18.0', 'os-dpm': '1.1.0', Babel: '2.5.3' },
      files: { checked: 1234, hashed: 1200 },
      modules: ['nova_dpm']
    },
    versions: { 'nova-dpm': '3.0.1.dev2' },
    commits: { 'nova-dpm': 'abc' },
    extraRequirements: [],
    dryRun: false,
    cache: {
      kind: 'pip',
      key: 'setup-nova-dpm-pip-Linux-X64-3.6.15-abc',
      restore: { exactHit: false, ms: 1200, bytes: 0 },
      save: { saved: true, ms: 2500, bytes: 3 * 1024 * 1024 }
    }
  }
}

/** The same job as a dry run without constraints: nothing installed, nothing cached. */
function dryRunReport(): RunReport {
  return { ...installedReport(), proof: undefined, verified: undefined, cache: undefined, pipVersion: undefined, venv: undefined, constraints: undefined, versions: {}, dryRun: true }
}

const TIMING = { phases: [{ name: 'Install nova-dpm', ms: 12_345 }], totalMs: 15_000 }

const cell = (rows: [string, string][], label: string) => rows.find(([k]) => k === label)?.[1]

describe('the job summary', () => {
  it('has the same rows in the same order in every job, none where a job has nothing', { timeout: 5_000 }, () => {
    const full = summaryOf(installedReport(), ['a warning'], TIMING)
    const dry = summaryOf(dryRunReport(), [], TIMING)
    const labels = (s: typeof full) => s.rows.map(([k]) => k)
    assert.deepEqual(labels(full), [
      'Release', 'Mode', 'nova-dpm', 'Also installed', 'Installed closure', 'Constraints', 'Constraints file', 'Pins dropped', 'Python',
      'Virtual environment', 'Verified', 'Driver loads', 'Config sample', 'Cache', 'Cache restore', 'Cache save', 'Warnings'
    ])
    assert.deepEqual(labels(dry), labels(full))
    for (const label of ['Constraints', 'Constraints file', 'Pins dropped', 'Virtual environment', 'Config sample', 'Cache', 'Cache restore', 'Cache save', 'Warnings']) {
      assert.equal(cell(dry.rows, label), 'none', label)
    }
    for (const label of ['Installed closure', 'Verified', 'Driver loads']) assert.equal(cell(dry.rows, label), 'none (dry run)', label)
    assert.deepEqual(dry.details, [], 'nothing to list below the table')
  })

  it('shows the closure, the constraints digest, the pins dropped, what was verified and the warnings', { timeout: 5_000 }, () => {
    const warnings = ['queens was tested on Python 2.7 and 3.5, not 3.6', 'The cached venv failed verification (x); rebuilding it']
    const summary = summaryOf(installedReport(), warnings, TIMING)
    assert.equal(summary.heading, 'setup-nova-dpm: nova-dpm for queens')
    assert.equal(cell(summary.rows, 'nova-dpm'), '3.0.1.dev2 — git+https://opendev.org/x/nova-dpm@abc#egg=nova-dpm — commit abc')
    assert.equal(cell(summary.rows, 'Installed closure'), '4 distributions (listed below)')
    assert.equal(cell(summary.rows, 'Constraints file'), `512 lines, sha256 ${DIGEST}`)
    assert.equal(cell(summary.rows, 'Pins dropped'), 'nova-dpm===3.0.0')
    assert.equal(cell(summary.rows, 'Python'), '3.6.15, pip 21.3.1 (/venv/bin/python)')
    assert.equal(cell(summary.rows, 'Verified'), '4 distributions, 1234 files (1200 by hash); imported nova_dpm')
    assert.match(cell(summary.rows, 'Driver loads')!, /^nova-dpm loads the way nova loads it/)
    assert.equal(cell(summary.rows, 'Cache restore'), 'miss (1.2 s)')
    assert.equal(cell(summary.rows, 'Cache save'), '3.0 MiB in 2.5 s')
    assert.equal(cell(summary.rows, 'Warnings'), '2 (listed below)')
    assert.deepEqual(summary.details, [
      { label: 'Installed closure (4 distributions)', items: ['Babel 2.5.3', 'nova-dpm 3.0.1.dev2', 'os-dpm 1.1.0', 'zhmcclient 0.18.0'], sentences: false },
      { label: 'Warnings (2)', items: warnings, sentences: true }
    ])
    assert.deepEqual(summary.phases, [['Install nova-dpm', '12.3 s'], ['Total (phases overlap)', '15.0 s']])
  })

  it('an exact cache hit needs no save; a value with a line break cannot start a line of its own', { timeout: 5_000 }, () => {
    const report = installedReport()
    report.cache = { ...report.cache!, restore: { matchedKey: 'k-1', exactHit: true, ms: 900, bytes: 21 * 1024 * 1024, archiveBytes: 6 * 1024 * 1024 }, save: undefined }
    report.proof!.closure = { evil: '1.0\n::warning::x' }
    const summary = summaryOf(report, ['line one\nline two'], TIMING)
    assert.equal(cell(summary.rows, 'Cache restore'), 'hit on k-1, 21.0 MiB unpacked, 6.0 MiB compressed in 0.9 s')
    assert.equal(cell(summary.rows, 'Cache save'), 'not needed (exact hit)')
    assert.deepEqual(summary.details[0].items, ['evil 1.0\\n::warning::x'])
    assert.deepEqual(summary.details[1].items, ['line one\\nline two'])
  })
})
