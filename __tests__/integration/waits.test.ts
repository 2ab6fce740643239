/**
 * Issue 18: no wait outlives the process it waits for. A PEP 517 backend
 * that leaves a daemon in a session of its own holds pip (pip reads its
 * backend's output to the end, and the daemon keeps it open): the time
 * limit and a cancel stop pip and the daemon, and say what held it.
 */
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { after, describe, it } from 'node:test'
import { runProcess } from '../../src/io/process.js'
import { cleanEnv, makeVenv, messages, startAction, tempDir } from '../fixtures/runAction.js'
import { alive, waitFor } from '../fixtures/processes.js'
import { makeBackendRepo } from '../fixtures/repos.js'
import { useWorld } from '../fixtures/suite.js'
import { installInputs } from '../fixtures/world.js'

/**
 * A project (a git repository) whose in-tree backend double-forks a daemon
 * in a new session, holding the hook's stdout and stderr, and writes its
 * pid; the hook itself returns at once.
 */
function daemonProject(): { repo: string; pidFile: string } {
  const pidFile = path.join(tempDir(), 'daemon.pid')
  const repo = makeBackendRepo(path.join(tempDir(), 'nova-dpm'), 'daemon_backend', [
    'import os, time',
    'def get_requires_for_build_wheel(config_settings=None):',
    '    if os.fork() == 0:',
    '        os.setsid()',
    '        if os.fork() == 0:',
    `            with open(${JSON.stringify(pidFile)} + ".tmp", "w") as f:`,
    '                f.write(str(os.getpid()))',
    `            os.rename(${JSON.stringify(pidFile)} + ".tmp", ${JSON.stringify(pidFile)})`,
    '            time.sleep(1000)',
    '        os._exit(0)',
    '    return []'
  ])
  return { repo, pidFile }
}

describe("a build backend's daemon", () => {
  const daemons: number[] = []
  after(() => {
    for (const pid of daemons.filter(alive)) process.kill(pid, 'SIGKILL')
  }, { timeout: 30_000 })
  const world = useWorld()

  it('holds pip only until the time limit, which stops it too and names it', { timeout: 90_000 }, async () => {
    const { repo, pidFile } = daemonProject()
    const python = makeVenv()
    const started = Date.now()
    const result = await runProcess(python, ['-m', 'pip', 'install', '--no-index', repo], { what: 'pip install', timeoutMs: 20_000, env: cleanEnv() })
    const daemon = Number(fs.readFileSync(pidFile, 'utf8'))
    daemons.push(daemon)
    const seconds = (Date.now() - started) / 1000
    assert.equal(result.timedOut, true, `pip ended by itself: ${result.stdout}${result.stderr}`)
    assert.ok(seconds < 25, `took ${seconds} s for a limit of 20 s`)
    assert.match(result.stderr, new RegExp(`pip install did not finish within 20 s and was stopped, and with it what it had left running outside its process group, which may have held it: '[^']*python[^']*' \\(pid ${daemon}\\)\\.$`))
    await waitFor('the daemon to stop', 5_000, () => (alive(daemon) ? undefined : true))
  })

  it('is stopped with pip when the job is cancelled, and the message says so', { timeout: 120_000 }, async () => {
    const { repo, pidFile } = daemonProject()
    const { child, done } = startAction(installInputs(world, { release: 'pike', mode: 'stable', repository: repo, python: makeVenv(), constraints: 'none' }))
    const daemon = await waitFor('the daemon to start', 90_000, () => (fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : undefined))
    daemons.push(daemon)
    // pip is now waiting on the daemon's end of its backend's output.
    await new Promise(resolve => setTimeout(resolve, 500))
    const signalled = Date.now()
    child.kill('SIGTERM')
    const run = await done
    assert.ok(Date.now() - signalled < 5000, 'stopped promptly')
    assert.equal(run.code, 1)
    assert.match(messages(run, 'error')[0], /^Cancelled \(SIGTERM\): stopped what the action had started \(.*pip install.*python.*\); nothing was cached or exported\.$/)
    assert.equal(alive(daemon), false, 'the daemon in its own session was stopped')
  })
})
