/**
 * The real upper-constraints.txt of openstack/requirements (ocata-eol,
 * pike-eol, queens-eol, master; see fixtures/constraints/SOURCE.md) through
 * the functions the action reads them with. No processes, no network.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { dropProjects, pinsOf, validateConstraints } from '../../src/constraints/constraints.js'
import { realConstraintsFile, type RealSeries } from '../fixtures/world.js'

const SERIES: RealSeries[] = ['ocata', 'pike', 'queens', 'master']
const text = (series: RealSeries) => fs.readFileSync(realConstraintsFile(series), 'utf8')

/**
 * The project a line pins, read the simple way these files allow (every
 * line is `name===version` with an optional `;marker`): an oracle written
 * apart from the action's parser.
 */
function nameOf(line: string): string | undefined {
  if (!line.trim() || line.startsWith('#')) return undefined
  return line.split('===')[0].toLowerCase().replace(/[-_.]+/g, '-')
}

/**
 * The projects of a file worth a full check: each with several lines, a
 * marker, capitals or a separator PEP 503 folds, and every tenth of the rest.
 */
function projects(content: string): string[] {
  const names = [...new Set(content.split('\n').flatMap(line => (nameOf(line) ? [line.split('===')[0]] : [])))]
  const marked = new Set(content.split('\n').flatMap(line => (line.includes(';') ? [line.split('===')[0]] : [])))
  return names.filter((name, i) => marked.has(name) || /[A-Z._]/.test(name) || i % 10 === 0)
}

describe('the real constraints files', () => {
  it('each passes validation, and every line is a comment or a name===version pin', { timeout: 5_000 }, () => {
    for (const series of SERIES) {
      const content = text(series)
      assert.doesNotThrow(() => validateConstraints(content, series), series)
      for (const line of content.split('\n').filter(Boolean)) {
        assert.match(line, /^#|^[A-Za-z0-9][A-Za-z0-9._-]*===[^\s;=]+(;python_version *[=<>!]=? *'[\d.]+')?$/, `${series}: ${line}`)
      }
    }
  })

  it('pinsOf finds the DPM dependencies at the pins of the series, however the name is spelled', { timeout: 5_000 }, () => {
    const expected: Record<RealSeries, [string[], string[]]> = {
      ocata: [['zhmcclient===0.9.0'], ['os-dpm===1.0.0']],
      pike: [['zhmcclient===0.14.0'], ['os-dpm===1.1.0']],
      queens: [['zhmcclient===0.18.0'], ['os-dpm===1.1.0']],
      master: [[], []]
    }
    for (const series of SERIES) {
      const content = text(series)
      assert.deepEqual(pinsOf(content, 'zhmcclient'), expected[series][0], series)
      assert.deepEqual(pinsOf(content, 'os-dpm'), expected[series][1], series)
      assert.deepEqual(pinsOf(content, 'OS_DPM'), expected[series][1], series)
      // Neither project pins itself in any series: nothing to drop in a git mode.
      assert.deepEqual(pinsOf(content, 'nova-dpm'), [], series)
      assert.deepEqual(pinsOf(content, 'networking-dpm'), [], series)
    }
  })

  it('pinsOf returns every marker line of a name: zVMCloudConnector has four in queens, two versions', { timeout: 5_000 }, () => {
    assert.deepEqual(pinsOf(text('queens'), 'zvmcloudconnector'), [
      "zVMCloudConnector===0.3.5;python_version=='2.7'",
      "zVMCloudConnector===0.3.5;python_version=='3.4'",
      "zVMCloudConnector===0.3.5;python_version=='3.5'",
      "zVMCloudConnector===1.0.0;python_version=='3.6'"
    ])
    assert.deepEqual(pinsOf(text('pike'), 'ruamel-yaml'), ["ruamel.yaml===0.13.14;python_version=='3.4'", "ruamel.yaml===0.13.14;python_version=='3.5'"])
  })

  it('dropProjects removes all marker lines of a mixed-case name and nothing else', { timeout: 5_000 }, () => {
    for (const series of ['pike', 'queens'] as const) {
      const content = text(series)
      const { text: kept, removed } = dropProjects(content, ['editorconfig', 'PASTEDEPLOY'])
      assert.deepEqual(removed, ['PasteDeploy===1.5.2', "EditorConfig===0.12.1;python_version=='3.4'", "EditorConfig===0.12.1;python_version=='3.5'"], series)
      const lines = content.split('\n')
      assert.deepEqual(kept.split('\n'), lines.filter(line => !/^(PasteDeploy|EditorConfig)===/.test(line)), series)
      assert.equal(kept.split('\n').length, lines.length - 3, series)
    }
    const queens = dropProjects(text('queens'), ['ZVMCLOUDCONNECTOR'])
    assert.equal(queens.removed.length, 4)
    assert.doesNotMatch(queens.text, /zVMCloudConnector/i)
    assert.match(queens.text, /^zhmcclient===0\.18\.0$/m)
  })

  it('dropProjects on the names of every file removes exactly their lines', { timeout: 20_000 }, () => {
    for (const series of SERIES) {
      const content = text(series)
      const lines = content.split('\n')
      for (const name of projects(content)) {
        const wanted = nameOf(name + '===')
        const { text: kept, removed } = dropProjects(content, [name])
        const expected = lines.filter(line => nameOf(line) === wanted)
        assert.ok(expected.length >= 1, `${series}: ${name}`)
        assert.deepEqual(removed, expected, `${series}: ${name}`)
        assert.equal(kept, lines.filter(line => nameOf(line) !== wanted).join('\n'), `${series}: ${name}`)
      }
    }
  })

  it('dropProjects of names a file does not pin leaves it byte for byte', { timeout: 5_000 }, () => {
    for (const series of SERIES) {
      const content = text(series)
      // `nova` is a prefix of python-novaclient's neighbours, `os` of os-* names: prefixes must not match.
      const result = dropProjects(content, ['nova-dpm', 'networking-dpm', 'nova', 'os', 'oslo'])
      assert.deepEqual(result.removed, [], series)
      assert.equal(result.text, content, series)
    }
  })

  it('SOURCE.md records each file with the sha256 and line count it has', { timeout: 5_000 }, () => {
    const source = fs.readFileSync(path.join(path.dirname(realConstraintsFile('master')), 'SOURCE.md'), 'utf8')
    const rows = [...source.matchAll(/^\| (\w+)\.txt +\| openstack\/requirements +\| [^|]+\| ([0-9a-f]{40}) +\| (\d+) +\| ([0-9a-f]{64}) \|$/gm)]
    assert.deepEqual(rows.map(r => r[1]).sort(), [...SERIES].sort())
    for (const [, series, , lines, sha256] of rows) {
      const data = fs.readFileSync(realConstraintsFile(series as RealSeries))
      assert.equal(createHash('sha256').update(data).digest('hex'), sha256, series)
      assert.equal(data.toString('utf8').split('\n').filter(Boolean).length, Number(lines), series)
    }
  })
})
