import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { parse as parseYaml } from 'yaml'

const root = join(import.meta.dirname, '..', '..')

// The one table of the GitHub actions this repository names, and the major
// every workflow, example and document pins. Each is the newest major, and its
// action.yml says `runs.using: node24` (read at v7.0.1, v7.0.0, v7.0.0 and
// v5.0.5 of the actions' repositories). Dependabot bumps the workflows; this
// test then names every example and README line to bring along.
const ACTION_MAJORS: Record<string, string> = {
  'actions/checkout': 'v7',
  'actions/setup-python': 'v7',
  'actions/setup-node': 'v7',
  'actions/cache': 'v5'
}

const pinned = /\b(actions\/[\w.-]+)@([\w.-]+)/g

/** Every `actions/<name>@<ref>` in a text that disagrees with the table, as `file:line`. */
function disagreements (file: string, text: string, majors: Record<string, string>): string[] {
  const problems: string[] = []
  for (const match of text.matchAll(pinned)) {
    const [, action, ref] = match
    const line = text.slice(0, match.index).split('\n').length
    const major = majors[action]
    if (major === undefined) problems.push(`${file}:${line}: ${action} is not in the table of majors (__tests__/repo/actions.test.ts); add it there`)
    else if (ref !== major) problems.push(`${file}:${line}: ${action}@${ref}, the table says @${major}`)
  }
  return problems
}

function documents (): Map<string, string> {
  const inDir = (dir: string) => readdirSync(join(root, dir)).filter(name => name.endsWith('.yml')).map(name => `${dir}/${name}`)
  const files = [...inDir('.github/workflows'), ...inDir('examples'), 'README.md', 'CONTRIBUTING.md']
  return new Map(files.sort().map(file => [file, readFileSync(join(root, file), 'utf8')]))
}

describe('the actions this repository pins', { timeout: 10_000 }, () => {
  test('every workflow, example and document uses the major of the table', () => {
    const problems = [...documents()].flatMap(([file, text]) => disagreements(file, text, ACTION_MAJORS))
    assert.deepEqual(problems, [])
  })

  test('every action of the table is used', () => {
    const text = [...documents().values()].join('\n')
    for (const action of Object.keys(ACTION_MAJORS)) assert.ok(text.includes(`${action}@`), `${action} is in the table but used nowhere`)
  })

  test('Dependabot updates the workflows\' actions', () => {
    const config = parseYaml(readFileSync(join(root, '.github', 'dependabot.yml'), 'utf8')) as { updates: Array<Record<string, unknown>> }
    // '/' is where Dependabot reads .github/workflows/*.yml for this ecosystem.
    const actions = config.updates.filter(update => update['package-ecosystem'] === 'github-actions')
    assert.deepEqual(actions.map(update => update.directory), ['/'])
  })

  test('the check names a stale major, an action not in the table, and its line', () => {
    const text = 'steps:\n  - uses: actions/checkout@v4\n  - uses: actions/setup-python@v7\n  - uses: actions/upload-artifact@v4\n'
    assert.deepEqual(disagreements('x.yml', text, { 'actions/checkout': 'v7', 'actions/setup-python': 'v7' }), [
      'x.yml:2: actions/checkout@v4, the table says @v7',
      'x.yml:4: actions/upload-artifact is not in the table of majors (__tests__/repo/actions.test.ts); add it there'
    ])
  })
})
