import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { cacheKeys, saveKey, type KeyParts } from '../../src/cache/keys.js'

const BASE: KeyParts = {
  kind: 'pip',
  os: 'Linux',
  arch: 'X64',
  pythonVersion: '3.11.7',
  pythonAbi: 'cpython-311-x86_64-linux-gnu',
  packages: ['nova-dpm'],
  series: 'queens',
  mode: 'release',
  requirements: ['nova-dpm>=3.0.0,<4.0.0'],
  constraintsHash: 'aa',
  indexUrl: 'https://user:token@mirror/simple',
  projectsHash: '',
  suffix: ''
}

describe('cache keys', () => {
  it('is stable for the same parts', () => assert.equal(cacheKeys(BASE).identity, cacheKeys({ ...BASE }).identity))

  const changes: Partial<KeyParts>[] = [
    { os: 'macOS' },
    { arch: 'ARM64' },
    { pythonVersion: '3.11.8' },
    { pythonAbi: 'cpython-312-x86_64-linux-gnu' },
    { packages: ['networking-dpm'] },
    { packages: ['nova-dpm', 'networking-dpm'] },
    { series: 'pike' },
    { mode: 'stable' },
    { requirements: ['nova-dpm>=3.0.1,<4.0.0'] },
    { requirements: ['nova-dpm>=3.0.0,<4.0.0', 'pytest'] },
    { constraintsHash: 'bb' },
    { indexUrl: 'https://other/simple' },
    { projectsHash: 'cc' },
    { suffix: 'v2' },
    { kind: 'venv' }
  ]
  for (const change of changes) {
    it(`changes with ${JSON.stringify(change)}`, () => assert.notEqual(cacheKeys({ ...BASE, ...change }).identity, cacheKeys(BASE).identity))
  }

  it('never spells out the index URL or its credentials', () => assert.ok(!cacheKeys(BASE).identity.includes('token')))

  it('pip falls back from specific to general, never across OS, arch or Python', () => {
    const { identity, fallbacks } = cacheKeys(BASE)
    assert.equal(fallbacks.length, 2)
    const all = [identity, ...fallbacks]
    for (let i = 1; i < all.length; i++) {
      assert.ok(all[i - 1].startsWith(all[i]))
      assert.match(all[i], /-Linux-X64-py3\.11\.7-cpython-311-x86_64-linux-gnu-/)
    }
  })

  it('a suffix is part of every prefix, so changing it starts afresh', () => {
    const keys = cacheKeys({ ...BASE, suffix: 'bump 2' })
    for (const prefix of [keys.identity, ...keys.fallbacks]) assert.match(prefix, /-bump_2-/)
  })

  it('a venv is restored for exactly its parts only', () => assert.deepEqual(cacheKeys({ ...BASE, kind: 'venv' }).fallbacks, []))

  it('each save gets a key of its own under the identity, so a bad entry can be replaced', () => {
    const keys = cacheKeys(BASE)
    const first = saveKey(keys, { GITHUB_RUN_ID: '7', GITHUB_RUN_ATTEMPT: '1' }, 1000)
    const second = saveKey(keys, { GITHUB_RUN_ID: '7', GITHUB_RUN_ATTEMPT: '2' }, 2000)
    assert.notEqual(first, second)
    assert.ok(first.startsWith(keys.identity) && second.startsWith(keys.identity))
  })

  it('stays within the 512-character limit with the longest suffix, and has no commas', () => {
    const key = saveKey(cacheKeys({ ...BASE, packages: ['nova-dpm', 'networking-dpm'], series: '2027.1', suffix: 'x,'.repeat(50) }))
    assert.ok(key.length < 512, `${key.length}`)
    assert.ok(!key.includes(','))
  })
})
