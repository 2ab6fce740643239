import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { cacheKeys, type CacheKeyInput } from '../../src/cacheKey.js'

const BASE: CacheKeyInput = {
  kind: 'pip',
  os: 'Linux',
  arch: 'X64',
  pythonVersion: '3.11.7',
  pythonAbi: 'cpython-311-x86_64-linux-gnu',
  package: 'nova-dpm',
  series: 'queens',
  mode: 'release',
  resolved: 'nova-dpm>=3.0.0,<4.0.0',
  constraintsHash: 'aa',
  indexUrl: 'https://user:token@mirror/simple',
  suffix: ''
}

describe('cache keys', () => {
  it('is stable for the same input', () => assert.equal(cacheKeys(BASE).key, cacheKeys({ ...BASE }).key))

  const changes: Partial<CacheKeyInput>[] = [
    { os: 'macOS' },
    { arch: 'ARM64' },
    { pythonVersion: '3.11.8' },
    { pythonAbi: 'cpython-312-x86_64-linux-gnu' },
    { package: 'networking-dpm' },
    { series: 'pike' },
    { mode: 'stable' },
    { resolved: 'nova-dpm>=3.0.1,<4.0.0' },
    { constraintsHash: 'bb' },
    { indexUrl: 'https://other/simple' },
    { suffix: 'v2' },
    { kind: 'venv' }
  ]
  for (const change of changes) {
    it(`changes with ${JSON.stringify(change)}`, () => assert.notEqual(cacheKeys({ ...BASE, ...change }).key, cacheKeys(BASE).key))
  }

  it('never spells out the index URL or its credentials', () => assert.ok(!cacheKeys(BASE).key.includes('token')))

  it('pip restore keys go from specific to general, never across OS, arch or Python', () => {
    const { key, restoreKeys } = cacheKeys(BASE)
    assert.equal(restoreKeys.length, 3)
    for (let i = 0; i < restoreKeys.length; i++) {
      assert.ok(key.startsWith(restoreKeys[i]))
      if (i > 0) assert.ok(restoreKeys[i - 1].startsWith(restoreKeys[i]))
      assert.match(restoreKeys[i], /-Linux-X64-py3\.11\.7-cpython-311-x86_64-linux-gnu-/)
    }
  })

  it('a suffix is part of every restore key, so changing it starts afresh', () => {
    for (const prefix of cacheKeys({ ...BASE, suffix: 'bump 2' }).restoreKeys) assert.match(prefix, /-bump_2-/)
  })

  it('a venv is restored on an exact key only', () => assert.deepEqual(cacheKeys({ ...BASE, kind: 'venv' }).restoreKeys, []))

  it('stays within the 512-character limit and has no commas', () => {
    const { key } = cacheKeys({ ...BASE, suffix: 'x,'.repeat(100) })
    assert.ok(key.length < 512)
    assert.ok(!key.includes(','))
  })
})
