import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { cleanEnv } from '../fixtures/runAction.js'

const root = path.join(import.meta.dirname, '..', '..')

/** `npm run demo <args>` without its build: the README's first command, on the bundle the other suites run. */
async function demo(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join('scripts', 'demo.ts'), ...args], {
    cwd: root, env: cleanEnv(), timeout: 120_000, maxBuffer: 64 * 1024 * 1024
  })
  return stdout
}

describe('npm run demo', { timeout: 300_000 }, () => {
  it('names the mode the action runs, and ends with the job summary', async () => {
    const master = await demo('master')
    assert.match(master.split('\n')[0], /^Installing nova-dpm for master into \S+$/)
    const summary = master.slice(master.indexOf('\nJob summary'))
    assert.match(summary, /<td>Mode<\/td><td>master<\/td>/)
    assert.match(summary, /<td>nova-dpm<\/td><td>4\.0\.0\.dev1 /)

    const stable = await demo('pike', 'stable')
    assert.match(stable.split('\n')[0], /^Installing nova-dpm for pike \(mode stable\) into \S+$/)
    assert.match(stable.slice(stable.indexOf('\nJob summary')), /<td>Mode<\/td><td>stable<\/td>/)
  })
})
