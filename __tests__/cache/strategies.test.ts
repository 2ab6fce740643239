import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, describe, it } from 'node:test'
import { prepareCache } from '../../src/cache/strategies.js'
import { tempDir } from '../fixtures/runAction.js'

process.env.RUNNER_TEMP = tempDir('nova-dpm-runner-temp-')

/** A stand-in for `python -m pip cache dir`: notes that it was started, then answers or fails. */
function fakePython(answer: { dir?: string; exitCode?: number }): { executable: string; started: () => boolean } {
  const dir = tempDir('nova-dpm-fake-python-')
  const mark = path.join(dir, 'started')
  const executable = path.join(dir, 'python')
  fs.writeFileSync(executable, `#!/bin/sh\ntouch '${mark}'\n${answer.dir ? `echo '${answer.dir}'\n` : ''}exit ${answer.exitCode ?? 0}\n`, { mode: 0o755 })
  return { executable, started: () => fs.existsSync(mark) }
}

describe('prepareCache: where the pip cache is', () => {
  const saved = { PIP_CACHE_DIR: process.env.PIP_CACHE_DIR, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME }
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })

  it('an absolute PIP_CACHE_DIR (or one under ~) is the answer: no pip is started for it', { timeout: 30_000 }, async () => {
    for (const [given, expected] of [
      ['/srv/pip-cache', '/srv/pip-cache'],
      ['~/pip-cache', path.join(os.homedir(), 'pip-cache')]
    ]) {
      process.env.PIP_CACHE_DIR = given
      const python = fakePython({ dir: '/from/pip' })
      const ground = await prepareCache('pip', python.executable, 10)
      assert.equal(await ground.pipDir, expected)
      assert.equal(python.started(), false, `pip was started for PIP_CACHE_DIR=${given}`)
    }
  })

  it("otherwise pip's own answer, which also covers a relative PIP_CACHE_DIR and pip.conf", { timeout: 30_000 }, async () => {
    for (const given of [undefined, 'relative/cache']) {
      if (given === undefined) delete process.env.PIP_CACHE_DIR
      else process.env.PIP_CACHE_DIR = given
      const python = fakePython({ dir: '/from/pip' })
      const ground = await prepareCache('pip', python.executable, 10)
      assert.equal(await ground.pipDir, '/from/pip')
      assert.equal(python.started(), true)
    }
  })

  it("a pip without 'pip cache dir' (before 20.1): the XDG default it uses", { timeout: 30_000 }, async () => {
    delete process.env.PIP_CACHE_DIR
    process.env.XDG_CACHE_HOME = '/home/runner/.cache-elsewhere'
    const python = fakePython({ exitCode: 1 })
    assert.equal(await (await prepareCache('pip', python.executable, 10)).pipDir, '/home/runner/.cache-elsewhere/pip')
  })

  it('the venv kind asks pip nothing; without the runner service, no cache is available', { timeout: 30_000 }, async () => {
    for (const name of ['ACTIONS_CACHE_URL', 'ACTIONS_RESULTS_URL', 'ACTIONS_CACHE_SERVICE_V2']) delete process.env[name]
    const python = fakePython({ dir: '/from/pip' })
    const ground = await prepareCache('venv', python.executable, 10)
    assert.equal(ground.pipDir, undefined)
    assert.equal(ground.available, false)
    assert.equal(python.started(), false)
  })
})
