import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startCacheService, type CacheService } from '../fixtures/cacheService.js'
import { installed, makeVenv, messages, runAction, tempDir } from '../fixtures/runAction.js'
import { startWorld, type World } from '../fixtures/world.js'

describe('caching with the real @actions/cache against a loopback cache service', () => {
  let world: World
  let service: CacheService
  before(async () => {
    world = await startWorld()
    service = await startCacheService()
  })
  after(async () => {
    await world.close()
    await service.close()
  })

  /**
   * Each run is a fresh runner: a new working directory and interpreter, and
   * an empty pip cache directory at the same path (as ~/.cache/pip is).
   * pip caches nothing fetched over plain http unless the host is trusted;
   * real indexes are https, the loopback one is trusted instead.
   */
  function runner(shared: string) {
    const pipCache = path.join(shared, 'pip-cache')
    fs.rmSync(pipCache, { recursive: true, force: true })
    fs.rmSync(path.join(shared, 'venv'), { recursive: true, force: true })
    return { env: { ...service.env, PIP_CACHE_DIR: pipCache, PIP_TRUSTED_HOST: '127.0.0.1' }, venvPath: path.join(shared, 'venv') }
  }

  const inputs = (python: string, extra: Record<string, string> = {}) => ({
    release: 'queens',
    python,
    'index-url': world.indexUrl,
    constraints: world.constraintsUrl('queens'),
    ...extra
  })

  it('pip: a cold run saves, a fresh runner hits and downloads no wheel', async () => {
    const shared = tempDir()
    const cold = await runAction(inputs(makeVenv(), { 'cache-key-suffix': 'pip-hit' }), runner(shared).env)
    assert.equal(cold.code, 0, cold.stdout)
    assert.equal(cold.outputs['cache-hit'], 'false')
    const key = service.committedKeys().find(k => k.includes('pip-hit'))
    assert.ok(key, 'the cold run saved its pip cache')
    assert.match(cold.summary, /Cache save<\/td><td>\d+\.\d MiB in/)

    const requestsBefore = world.requests.length
    const python = makeVenv()
    const warm = await runAction(inputs(python, { 'cache-key-suffix': 'pip-hit' }), runner(shared).env)
    assert.equal(warm.code, 0, warm.stdout)
    assert.equal(warm.outputs['cache-hit'], 'true')
    assert.equal(installed(python)['nova-dpm'], '3.0.0')
    assert.deepEqual(world.requests.slice(requestsBefore).filter(p => p.startsWith('/files/')), [])
    assert.equal(service.committedKeys().filter(k => k === key).length, 1, 'an exact hit is not saved again')
    assert.match(warm.summary, /Cache restore<\/td><td>hit, \d+\.\d MiB/)
  })

  it('pip: changed constraints miss the exact key but restore the nearest', async () => {
    const shared = tempDir()
    const file = path.join(shared, 'uc.txt')
    fs.writeFileSync(file, 'zhmcclient===0.18.0\nos-dpm===1.1.0\n')
    const first = await runAction(inputs(makeVenv(), { constraints: file, 'cache-key-suffix': 'pip-miss' }), runner(shared).env)
    assert.equal(first.code, 0, first.stdout)
    fs.writeFileSync(file, 'zhmcclient===0.20.0\nos-dpm===1.1.0\n')
    const python = makeVenv()
    const second = await runAction(inputs(python, { constraints: file, 'cache-key-suffix': 'pip-miss' }), runner(shared).env)
    assert.equal(second.code, 0, second.stdout)
    assert.equal(second.outputs['cache-hit'], 'false')
    assert.match(second.summary, /partial hit/)
    assert.equal(installed(python).zhmcclient, '0.20.0')
    assert.equal(service.committedKeys().filter(k => k.includes('pip-miss')).length, 2)
  })

  it('venv: a hit restores the environment, verifies it and never runs pip install', async () => {
    const shared = tempDir()
    const base = makeVenv()
    const first = runner(shared)
    const cold = await runAction(inputs(base, { cache: 'venv', 'venv-path': first.venvPath }), first.env)
    assert.equal(cold.code, 0, cold.stdout)
    const venvPython = path.join(first.venvPath, 'bin', 'python')
    assert.equal(cold.outputs['python-path'], venvPython)
    assert.equal(cold.exported.VIRTUAL_ENV, first.venvPath)
    assert.deepEqual(cold.paths, [path.join(first.venvPath, 'bin')])
    assert.equal(installed(base)['nova-dpm'], undefined, 'the base interpreter is left alone')

    const second = runner(shared)
    assert.ok(!fs.existsSync(second.venvPath))
    const requestsBefore = world.requests.length
    const warm = await runAction(inputs(base, { cache: 'venv', 'venv-path': second.venvPath }), second.env)
    assert.equal(warm.code, 0, warm.stdout)
    assert.equal(warm.outputs['cache-hit'], 'true')
    assert.doesNotMatch(warm.stdout, /pip install/)
    assert.deepEqual(world.requests.slice(requestsBefore).filter(p => !p.startsWith('/constraints') && !p.startsWith('/requirements')), [])
    assert.equal(installed(venvPython)['nova-dpm'], '3.0.0')
    assert.equal(warm.exported.VIRTUAL_ENV, second.venvPath)
    assert.equal(warm.outputs['python-path'], venvPython)
  })

  it('concurrent saves of one key: one wins, the other says so in an info line', async () => {
    // Racing matrix jobs cache the same path (~/.cache/pip) under the same key.
    const { env } = runner(tempDir())
    const runs = await Promise.all([makeVenv(), makeVenv()].map(python => runAction(inputs(python, { 'cache-key-suffix': 'race' }), env)))
    for (const run of runs) {
      assert.equal(run.code, 0, run.stdout)
      assert.deepEqual(messages(run, 'warning').filter(m => /cache/i.test(m)), [])
    }
    assert.equal(service.committedKeys().filter(k => k.includes('race')).length, 1)
    assert.equal(runs.filter(r => /another job may be creating this cache/.test(r.stdout)).length, 1)
  })

  it('a failing cache service is a warning, and the install still happens', async () => {
    service.failWith = 400
    try {
      const python = makeVenv()
      const run = await runAction(inputs(python, { 'cache-key-suffix': 'broken' }), runner(tempDir()).env)
      assert.equal(run.code, 0, run.stdout)
      assert.equal(installed(python)['nova-dpm'], '3.0.0')
      assert.ok(messages(run, 'warning').some(m => /Failed to restore/.test(m)))
      assert.equal(run.outputs['cache-hit'], 'false')
    } finally {
      service.failWith = undefined
    }
  })

  it('no cache service at all: one warning, then an uncached install', async () => {
    const python = makeVenv()
    const run = await runAction(inputs(python))
    assert.equal(run.code, 0, run.stdout)
    assert.equal(messages(run, 'warning').filter(m => /cache service is not available/.test(m)).length, 1)
    assert.equal(installed(python)['nova-dpm'], '3.0.0')
  })
})
