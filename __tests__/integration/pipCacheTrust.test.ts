/**
 * Issue 18: a `cache: pip` entry is written by anyone who can write the
 * branch's cache. The toolkit's restore extracted it with `tar -P`, so a
 * member with an absolute or '..' name was written outside pip's cache
 * directory. The action now lists the members first and takes nothing from
 * such an entry.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { before, describe, it } from 'node:test'
import { cacheVersion, compressionMethod } from '../../src/cache/entry.js'
import { installed, makeVenv, messages, runAction, tempDir } from '../fixtures/runAction.js'
import { useCacheService, useWorld } from '../fixtures/suite.js'
import { installInputs } from '../fixtures/world.js'

describe('pip: an entry written by anyone who can write the cache writes nothing outside pip\'s cache', () => {
  const world = useWorld()
  const service = useCacheService()
  // The workspace holds pip's cache, so that entries name it 'pip/…', as the toolkit saves it.
  const shared = tempDir('nova-dpm-pip-trust-')
  const pipDir = path.join(shared, 'pip')
  const env = () => {
    fs.rmSync(pipDir, { recursive: true, force: true })
    return { ...service.env, GITHUB_WORKSPACE: shared, PIP_CACHE_DIR: pipDir, PIP_TRUSTED_HOST: '127.0.0.1' }
  }
  const inputs = (python: string) => installInputs(world, { release: 'queens', python, cache: 'pip', 'cache-key-suffix': 'pip-trust' })
  let identity: string

  before(async () => {
    const cold = await runAction(inputs(makeVenv()), env())
    assert.equal(cold.code, 0, cold.stdout)
    const [saved] = service.committedKeys().filter(k => k.includes('pip-trust'))
    assert.ok(saved, 'the cold run saved the pip cache')
    identity = saved.replace(/[^-]+-[^-]+-[^-]+$/, '')
  }, { timeout: 240_000 })

  it("members with an absolute path or '..', and a link: refused with a warning, nothing written, the install still happens", { timeout: 240_000 }, async () => {
    const setupCfg = path.join(shared, 'setup.cfg')
    const elsewhere = path.join(tempDir(), 'planted')
    const outside = tempDir()
    fs.mkdirSync(path.join(pipDir, 'wheels'), { recursive: true })
    fs.writeFileSync(path.join(pipDir, 'wheels', 'cached.txt'), 'cached\n')
    fs.symlinkSync(outside, path.join(pipDir, 'http-v2'))
    fs.writeFileSync(setupCfg, '[hostile]\n')
    fs.writeFileSync(elsewhere, 'hostile\n')
    const archive = path.join(tempDir(), 'cache.tzst')
    execFileSync('tar', ['--posix', '-cPf', archive, '--use-compress-program', 'zstd', '-C', shared, 'pip', 'pip/../setup.cfg', elsewhere], { stdio: 'pipe' })
    service.plant(`${identity}planted`, cacheVersion([pipDir], compressionMethod()), fs.readFileSync(archive))
    fs.rmSync(setupCfg)
    fs.rmSync(elsewhere)

    const python = makeVenv()
    const run = await runAction(inputs(python), env())
    assert.equal(run.code, 0, run.stdout)
    assert.ok(!fs.existsSync(setupCfg), 'the workspace was written to')
    assert.ok(!fs.existsSync(elsewhere), 'a file outside the workspace was written')
    assert.ok(!fs.existsSync(path.join(pipDir, 'wheels', 'cached.txt')), 'a member of the refused entry was extracted')
    assert.ok(!fs.lstatSync(path.join(pipDir, 'http-v2'), { throwIfNoEntry: false })?.isSymbolicLink(), 'the link was extracted')
    const refusal = messages(run, 'warning').find(m => /The pip cache entry .*planted holds members the action does not extract/.test(m))
    assert.ok(refusal, run.stdout)
    assert.match(refusal, /pip\/http-v2 is a symbolic link, which pip's cache directory never holds/)
    assert.match(refusal, /pip\/\.\.\/setup\.cfg has an empty, '\.' or '\.\.' part/)
    assert.match(refusal, /planted is an absolute path/)
    assert.match(refusal, /Nothing from it was used; installing without it/)
    assert.equal(run.outputs['cache-hit'], 'false')
    assert.equal(installed(python)['nova-dpm'], '3.0.0')
  })
})
