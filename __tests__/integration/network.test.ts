import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { cleanEnv, installed, makeVenv, messages, runAction, startAction, tempDir } from '../fixtures/runAction.js'
import { git, GIT_VERSIONS } from '../fixtures/repos.js'
import { useCacheService, useWorld } from '../fixtures/suite.js'
import { installInputs } from '../fixtures/world.js'

describe('broken networks, cancellation, and the interpreters users really have', () => {
  const world = useWorld()
  const service = useCacheService()

  const base = (python: string, extra: Record<string, string> = {}) => installInputs(world, { release: 'pike', python, ...extra })

  it('a stalled constraints host times out, is retried, then fails in bounded time', { timeout: 60_000 }, async () => {
    const python = makeVenv()
    const started = Date.now()
    const run = await runAction(base(python, { constraints: `${world.url}/stall`, timeout: '1', retries: '1' }))
    assert.equal(run.code, 1)
    assert.equal(
      messages(run, 'error')[0],
      `The constraints file could not be fetched from '${world.url}/stall': no complete answer within 1 s (tried 2 times). The host may be down or unreachable; re-run the job later.`
    )
    assert.ok(Date.now() - started < 15_000, 'gave up within the bounds')
  })

  it('a dropped connection is retried and the install goes on', { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const run = await runAction(base(python, { constraints: `${world.url}/drop-once/pike` }))
    assert.equal(run.code, 0, run.stdout)
    assert.match(run.stdout, /^GET \S+\/drop-once\/pike: network error: ECONNRESET socket hang up; retrying in 0\.5 s \(attempt 2 of 4\)$/m)
    assert.equal(installed(python).zhmcclient, '0.18.0')
  })

  it('a connection dropped every time fails after the configured retries', { timeout: 60_000 }, async () => {
    const run = await runAction(base(makeVenv(), { constraints: `${world.url}/drop`, retries: '2' }))
    assert.equal(run.code, 1)
    assert.equal(
      messages(run, 'error')[0],
      `The constraints file could not be fetched from '${world.url}/drop': network error: ECONNRESET socket hang up (tried 3 times). The host may be down or unreachable; re-run the job later.`
    )
  })

  it('git ls-remote is retried when the git server answers 503', { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const run = await runAction(base(python, { mode: 'stable', repository: world.gitUrl('nova-dpm', true) }))
    assert.equal(run.code, 0, run.stdout)
    assert.match(run.stdout, /^git ls-remote \S+\/git-flaky\/nova-dpm\.git: .*The requested URL returned error: 503; retrying in 0\.5 s \(attempt 2 of 4\)$/m)
    assert.equal(run.outputs.commit, git(world.repos['nova-dpm'], 'rev-parse', 'stable/pike'))
    assert.equal(installed(python)['nova-dpm'], GIT_VERSIONS['stable/pike'])
  })

  it('retries and timeout reach pip only when the user sets them', { timeout: 180_000 }, async () => {
    const set = await runAction(base(makeVenv(), { retries: '2', timeout: '7' }))
    assert.equal(set.code, 0, set.stdout)
    assert.match(set.stdout, /\[command\]\S+ -E -s -m pip install --no-input --log \S+\/pip-install-\S+\.log --constraint \S+ --index-url \S+ --retries 2 --timeout 7 nova-dpm>=2\.0\.0,<3\.0\.0\n/)
    const unset = await runAction(base(makeVenv()))
    assert.equal(unset.code, 0, unset.stdout)
    assert.match(unset.stdout, /\[command\]\S+ -E -s -m pip install --no-input --log \S+\/pip-install-\S+\.log --constraint \S+ --index-url \S+ nova-dpm>=2\.0\.0,<3\.0\.0\n/)
    assert.doesNotMatch(unset.stdout, /--retries|--timeout/)
  })

  it('pip failing midway says what it left behind, and a re-run completes the environment', { timeout: 180_000 }, async () => {
    const python = makeVenv()
    const failed = await runAction(base(python, { release: 'queens', constraints: 'none', version: '9.9.7' }))
    assert.equal(failed.code, 1)
    const error = messages(failed, 'error')[0]
    assert.match(error, /outside of target directory|outside the target directory/)
    assert.match(error, /pip installed or changed os-dpm 2\.0\.0, zhmcclient 1\.0\.0 before it stopped; nova-dpm is not installed/)
    const retried = await runAction(base(python, { release: 'queens', constraints: world.constraintsUrl('queens') }))
    assert.equal(retried.code, 0, retried.stdout)
    const pkgs = installed(python)
    assert.equal(pkgs['nova-dpm'], '3.0.0')
    assert.equal(pkgs.zhmcclient, '0.18.0', 'the constraints corrected what the failed run left')
  })

  it('a cancelled job stops pip at once and saves no cache', { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const { child, done } = startAction(
      base(python, { 'index-url': world.slowIndexUrl, cache: 'pip', 'cache-key-suffix': 'cancelled' }),
      { ...service.env }
    )
    let log = ''
    await new Promise<void>(resolve => {
      child.stdout!.on('data', (chunk: Buffer) => {
        log += chunk.toString()
        if (/-m pip install/.test(log)) resolve()
      })
    })
    await new Promise(resolve => setTimeout(resolve, 500))
    const signalled = Date.now()
    child.kill('SIGTERM')
    const run = await done
    assert.ok(Date.now() - signalled < 3000, 'stopped promptly')
    assert.equal(run.code, 1)
    assert.match(messages(run, 'error')[0], /^Cancelled \(SIGTERM\): stopped what the action had started \((.+, )?pip install(, .+)?\); nothing was cached or exported\.$/)
    assert.deepEqual(run.exported, {})
    assert.deepEqual(run.paths, [])
    const pips = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter(l => l.includes(python) && l.includes('pip install'))
    assert.deepEqual(pips, [], 'no pip left running')
    assert.deepEqual(service.committedKeys().filter(k => k.includes('cancelled')), [])
    assert.equal(installed(python)['nova-dpm'], undefined)
  })

  it('an externally managed Python (PEP 668) gets a venv, exported for later steps', { timeout: 180_000 }, async () => {
    const system = '/usr/bin/python3'
    const marker = execFileSync(system, ['-c', 'import os, sysconfig; print(os.path.exists(os.path.join(sysconfig.get_paths()["stdlib"], "EXTERNALLY-MANAGED")))'], { encoding: 'utf8' })
    assert.equal(marker.trim(), 'True', `${system} must be Debian's externally managed Python (.ci/run installs it)`)
    const venvPath = path.join(tempDir(), 'venv')
    const run = await runAction(base(system, { 'venv-path': venvPath }))
    assert.equal(run.code, 0, run.stdout)
    assert.match(messages(run, 'notice')[0], /\/usr\/bin\/python3 is externally managed \(PEP 668\); installing into a virtual environment instead/)
    assert.equal(run.outputs['python-path'], path.join(venvPath, 'bin', 'python'))
    assert.equal(run.exported.VIRTUAL_ENV, venvPath)
    assert.deepEqual(run.paths, [path.join(venvPath, 'bin')])
    assert.equal(installed(run.outputs['python-path'])['nova-dpm'], '2.0.1')
    assert.doesNotMatch(execFileSync(system, ['-m', 'pip', 'list'], { encoding: 'utf8', env: cleanEnv() }), /nova-dpm/)

    const refused = await runAction(base(system, { venv: 'false' }))
    assert.equal(refused.code, 1)
    assert.match(messages(refused, 'error')[0], /externally managed \(PEP 668\).*'venv: false' forbids a venv\. Set 'venv: auto'/)
  })

  it('a program that is not the Python it claims to be is refused, saying what it printed', { timeout: 60_000 }, async () => {
    // It prints what a Python 2.7 might, but never the probe's nonce-marked answer.
    const fake = path.join(tempDir(), 'python2')
    fs.writeFileSync(fake, `#!/bin/sh\necho '{"version": "2.7.18", "major": 2, "minor": 7}'\n`, { mode: 0o755 })
    const run = await runAction(base(fake))
    assert.equal(run.code, 1)
    assert.equal(
      messages(run, 'error')[0],
      `'${fake}' printed '{"version": "2.7.18", "major": 2, "minor": 7}' instead of the answer to the action's Python probe: is it a Python interpreter?`
    )
  })
})
