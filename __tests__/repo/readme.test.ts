import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'

const root = join(import.meta.dirname, '..', '..')

// README.md shows each example workflow as
//   <!-- example: examples/NAME.yml -->
//   ```yaml
//   (the file, byte for byte)
//   ```
//   <!-- /example -->
// so that what readers copy is what the workflow tests parse and lint.
const embedded = /<!-- example: (\S+) -->\n```yaml\n([\s\S]*?)```\n<!-- \/example -->/g
const fence = /^```(\S*)\n([\s\S]*?)^```$/gm

function readmeProblems (readme: string, examples: Map<string, string>): string[] {
  const problems: string[] = []
  const shown = new Set<string>()
  const covered: Array<[number, number]> = []
  for (const match of readme.matchAll(embedded)) {
    const [, path, body] = match
    covered.push([match.index, match.index + match[0].length])
    shown.add(path)
    const file = examples.get(path)
    if (file === undefined) problems.push(`README embeds ${path}, which is not an example file`)
    else if (body !== file) problems.push(`README's copy of ${path} differs from the file`)
  }
  for (const path of examples.keys()) if (!shown.has(path)) problems.push(`${path} is not embedded in README.md`)
  for (const match of readme.matchAll(fence)) {
    const [, language, body] = match
    if (language !== 'yaml' || !/^\s*-?\s*uses:/m.test(body)) continue
    if (!covered.some(([start, end]) => match.index >= start && match.index < end)) {
      const line = readme.slice(0, match.index).split('\n').length
      problems.push(`README.md line ${line}: a yaml block with 'uses:' that is not an embedded example`)
    }
  }
  return problems
}

function exampleFiles (): Map<string, string> {
  const dir = join(root, 'examples')
  return new Map(readdirSync(dir).filter(name => name.endsWith('.yml')).sort().map(name => [`examples/${name}`, readFileSync(join(dir, name), 'utf8')]))
}

/** The problems of the commands the documents give: scripts package.json lacks, and npx without --yes. */
function commandProblems (file: string, text: string, scripts: Set<string>): string[] {
  const problems: string[] = []
  for (const [, script] of text.matchAll(/\bnpm run (?:-s )?([\w:-]+)/g)) {
    if (!scripts.has(script)) problems.push(`${file}: 'npm run ${script}': package.json has no script '${script}'`)
  }
  // A command, not prose: npx, its flags, then a package named with its scope or version.
  for (const [command, flags] of text.matchAll(/\bnpx ((?:-[^\s`]+ )*)(?:@[\w.-]+\/[\w.-]+|[\w.-]+@)[^\s`]*/g)) {
    if (!flags.split(' ').includes('--yes')) problems.push(`${file}: '${command}' waits at npx's prompt without --yes`)
  }
  return problems
}

describe('README.md', { timeout: 10_000 }, () => {
  test('its commands, CONTRIBUTING.md\'s and .env.example\'s, run as written', () => {
    const scripts = new Set(Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts))
    const problems = ['README.md', 'CONTRIBUTING.md', '.env.example'].flatMap(file => commandProblems(file, readFileSync(join(root, file), 'utf8'), scripts))
    assert.deepEqual(problems, [])
    assert.deepEqual(commandProblems('x.md', 'npm run tset and npm run -s demo; npx prints; `npx @github/local-action@7 run .`', new Set(['demo'])), [
      "x.md: 'npm run tset': package.json has no script 'tset'",
      "x.md: 'npx @github/local-action@7' waits at npx's prompt without --yes"
    ])
  })

  test('names the interpreters the tests need, as .ci/run and CI do', () => {
    const versions = (text: string) => [...text.matchAll(/\b(\d\.\d+\.\d+)\b/g)].map(m => m[1]).sort()
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const development = readme.indexOf('## Development')
    const listed = readme.slice(development, readme.indexOf('`~/.pyenv/versions/`', development))
    const ciRun = /^for version in ([\d. ]+); do$/m.exec(readFileSync(join(root, '.ci', 'run'), 'utf8'))
    const ci = /^ {6}PYENV_VERSIONS: ([\d. ]+)$/m.exec(readFileSync(join(root, '.github', 'workflows', 'ci.yml'), 'utf8'))
    assert.ok(ciRun && ci, 'the lists in .ci/run or ci.yml moved')
    assert.ok(versions(listed).length > 0)
    assert.deepEqual(versions(listed), versions(ciRun[1]))
    assert.deepEqual(versions(listed), versions(ci[1]))
  })

  test('shows every example workflow exactly as the file, and no other workflow snippet', () => {
    const examples = exampleFiles()
    assert.ok(examples.size > 0)
    assert.deepEqual(readmeProblems(readFileSync(join(root, 'README.md'), 'utf8'), examples), [])
  })

  test('the check finds a stale copy, a missing example and a stray snippet', () => {
    const examples = new Map([['examples/a.yml', 'on: push\n'], ['examples/b.yml', 'on: pull_request\n']])
    const good = '# T\n<!-- example: examples/a.yml -->\n```yaml\non: push\n```\n<!-- /example -->\n' +
      '<!-- example: examples/b.yml -->\n```yaml\non: pull_request\n```\n<!-- /example -->\n```sh\nnpm test\n```\n'
    assert.deepEqual(readmeProblems(good, examples), [])
    const stale = good.replace('on: push\n```', 'on: [push]\n```')
    assert.deepEqual(readmeProblems(stale, examples), ['README\'s copy of examples/a.yml differs from the file'])
    const stray = good + '```yaml\n- uses: your-org/setup-nova-dpm@v1\n```\n'
    assert.deepEqual(readmeProblems(stray, examples), ['README.md line 15: a yaml block with \'uses:\' that is not an embedded example'])
    const missing = good.slice(0, good.indexOf('<!-- example: examples/b.yml'))
    assert.deepEqual(readmeProblems(missing, examples), ['examples/b.yml is not embedded in README.md'])
  })
})
