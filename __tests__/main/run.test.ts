/**
 * The story of one run, told from the TypeScript source: `run()` from
 * src/main.ts, with the runner faked around the toolkit's core (INPUT_*
 * variables, GITHUB_* command files in a temp directory, stdout read), against
 * the loopback world. In a node of its own: the toolkit writes to stdout, which
 * in this process carries the test reporter's stream.
 */
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { cleanEnv, inputVariables, installed, makeVenv, runnerVariables, tempDir } from '../fixtures/runAction.js'
import { useWorld } from '../fixtures/suite.js'
import { installInputs } from '../fixtures/world.js'

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url))
// tsx is found from the repository; the action itself reads GITHUB_WORKSPACE, not the working directory.
const REPO = fileURLToPath(new URL('../..', import.meta.url))

interface Told {
  log: string
  failed: boolean
  outputs: string
  summary: string
  exported: string
}

/** One run() with the given inputs; the process environment is restored afterwards. */
async function tell(inputs: Record<string, string>): Promise<Told> {
  const dir = tempDir('nova-dpm-story-')
  const files = runnerVariables(dir)
  const env = { ...cleanEnv({ ...files, GITHUB_WORKSPACE: dir }), ...inputVariables(inputs) }
  const script = `import { run } from ${JSON.stringify(MAIN)}; await run()`
  const { code, log } = await new Promise<{ code: number; log: string }>(resolve => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env, cwd: REPO, maxBuffer: 64 * 1024 * 1024 }, (error, out, err) =>
      resolve({ code: error ? Number(error.code) || 1 : 0, log: out + err })
    )
  })
  const read = (name: keyof typeof files) => fs.readFileSync(files[name], 'utf8')
  return { log, failed: code !== 0, outputs: read('GITHUB_OUTPUT'), summary: read('GITHUB_STEP_SUMMARY'), exported: read('GITHUB_ENV') + read('GITHUB_PATH') }
}

function phases(summary: string): string[] {
  const table = summary.split('Phases')[1] ?? ''
  const rows = [...table.matchAll(/<tr><td>([^<]+)<\/td><td>[\d.]+ s<\/td><\/tr>/g)].map(m => m[1])
  // The last row is the run's total, not a phase.
  assert.equal(rows.pop(), 'Total (phases overlap)')
  return rows
}

describe('the story of one run', { timeout: 180_000 }, () => {
  const world = useWorld()

  const inputs = (python: string, extra: Record<string, string> = {}) => installInputs(world, { release: 'queens', python, ...extra })

  it('reads, finds, installs, proves and reports, in that order', async () => {
    const python = makeVenv()
    const told = await tell(inputs(python))
    assert.equal(told.failed, false, told.log)
    const order = phases(told.summary)
    assert.equal(order.length, 6)
    assert.deepEqual(order.slice(-3), ['Check what is installed', 'Install nova-dpm', 'Verify'])
    assert.deepEqual([...order.slice(0, 3)].sort(), ['Fetch constraints', 'Find Python', 'Resolve source'])
    assert.match(told.outputs, /versions<<\S+\n\{"nova-dpm":"3\.0\.0"\}\n/)
    assert.equal(installed(python)['nova-dpm'], '3.0.0')
  })

  it('a dry run stops before anything is installed or downloaded', async () => {
    const python = makeVenv()
    const before = world.requests.length
    const told = await tell(inputs(python, { 'dry-run': 'true' }))
    assert.equal(told.failed, false, told.log)
    assert.deepEqual(phases(told.summary).sort(), ['Fetch constraints', 'Find Python', 'Resolve source'])
    assert.deepEqual(world.requests.slice(before).filter(p => p.startsWith('/files/')), [])
    assert.match(told.log, /Dry run: would install nova-dpm>=3\.0\.0,<4\.0\.0 into /)
    assert.equal(installed(python)['nova-dpm'], undefined)
  })

  it('a bad input ends the story at once: one error, nothing fetched', async () => {
    const before = world.requests.length
    const told = await tell(inputs(makeVenv(), { release: 'quens' }))
    assert.equal(told.failed, true)
    assert.match(told.log, /^::error::Input 'release' has an unknown OpenStack series 'quens'/m)
    assert.equal(world.requests.length, before)
    assert.equal(told.summary, '')
  })

  it('a venv is exported only once the install is proved', async () => {
    const venvPath = path.join(tempDir(), 'venv')
    const good = await tell(inputs(makeVenv(), { venv: 'true', 'venv-path': venvPath }))
    assert.equal(good.failed, false, good.log)
    assert.match(good.exported, new RegExp(`VIRTUAL_ENV<<\\S+\\n${venvPath}\\n`))
    // 9.9.9 installs, but its module cannot be imported: verification fails, nothing is exported.
    const bad = await tell(inputs(makeVenv(), { venv: 'true', 'venv-path': path.join(tempDir(), 'venv'), version: '9.9.9', constraints: 'none' }))
    assert.equal(bad.failed, true)
    assert.match(bad.log, /::error::The install did not prove good: /)
    assert.equal(bad.exported, '')
  })
})
