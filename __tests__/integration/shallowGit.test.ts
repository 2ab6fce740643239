/**
 * Modes stable and master against a repository with Nova's shape and a long
 * history (fixtures/longHistory.ts), served over git's smart HTTP protocol:
 * the action fetches only what pbr needs to version the commit, and pip
 * builds the version a whole clone builds. Over dumb HTTP, which cannot fetch
 * part of a history, the whole history of the commit comes instead.
 */
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startGitServer, type GitServer } from '../fixtures/gitServer.js'
import { makeLongHistory, type LongHistory } from '../fixtures/longHistory.js'
import { makeVenvWith } from '../fixtures/pythons.js'
import { installed, makeVenv, messages, py, runAction, tempDir } from '../fixtures/runAction.js'
import { git } from '../fixtures/repos.js'
import { useWorld } from '../fixtures/suite.js'
import { installInputs } from '../fixtures/world.js'

describe('a git install of a long history fetches only what pbr reads', () => {
  const world = useWorld()
  let server: GitServer
  let history: LongHistory
  /** Bytes of the repository's packs: what a whole clone transfers, give or take. */
  let packBytes: number
  before(async () => {
    const root = tempDir('nova-dpm-long-')
    history = makeLongHistory(root, 'nova-dpm')
    const packs = path.join(history.bare, 'objects', 'pack')
    packBytes = fs.readdirSync(packs).reduce((sum, f) => sum + fs.statSync(path.join(packs, f)).size, 0)
    server = await startGitServer(root)
  }, { timeout: 120_000 })
  after(() => server.close(), { timeout: 30_000 })

  const run = (release: 'queens' | 'master', python: string, protocol: 'smart' | 'dumb' = 'smart', indexUrl = world.indexUrl) => {
    server.resetCount()
    return runAction(
      installInputs(world, {
        release,
        mode: release === 'master' ? '' : 'stable',
        package: 'nova-dpm',
        python,
        repository: server.repoUrl('nova-dpm', protocol),
        'index-url': indexUrl
      })
    )
  }
  const commitOf = (ref: string) => git(history.bare, 'rev-parse', `${ref}^{commit}`)

  for (const [label, venv] of [
    ['Python 3.6 (pip 18.1, which copies the directory before building)', () => makeVenvWith('3.6')],
    ['a current Python', () => makeVenv()]
  ] as const) {
    it(`${label}: the -eol tag of a deleted branch builds 17.0.13 + 118 commits, from a small part of the repository`, { timeout: 240_000 }, async () => {
      const python = venv()
      const result = await run('queens', python)
      assert.equal(result.code, 0, result.stdout)
      const sha = commitOf('queens-eol')
      assert.match(messages(result, 'notice')[0], /stable\/queens no longer exists .*installing the queens-eol tag/)
      assert.equal(result.outputs.commit, sha)
      assert.equal(result.outputs['pip-spec'], `git+${server.repoUrl('nova-dpm')}@${sha}#egg=nova-dpm`)
      assert.equal(installed(python)['nova-dpm'], history.versions['queens-eol'])
      assert.equal(result.outputs.version, history.versions['queens-eol'])
      assert.equal(py(python, 'import nova_dpm, os; print(os.path.basename(os.path.dirname(nova_dpm.__file__)))'), 'nova_dpm')
      assert.match(result.stdout, new RegExp(`Fetched \\d+ commits of '\\S+': ${sha.slice(0, 12)} is 118 commits after 17\\.0\\.13\\.`))
      const fetched = server.bytesSent('nova-dpm')
      assert.ok(fetched < packBytes / 20, `fetched ${fetched} bytes of a ${packBytes}-byte repository`)
    })
  }

  it('master builds 19.0.0 + 50 commits on Python 3.6 (pip 18.1)', { timeout: 240_000 }, async () => {
    const python = makeVenvWith('3.6')
    const result = await run('master', python)
    assert.equal(result.code, 0, result.stdout)
    assert.equal(result.outputs.commit, commitOf('master'))
    assert.equal(installed(python)['nova-dpm'], history.versions.master)
    assert.ok(server.bytesSent('nova-dpm') < packBytes / 20, `fetched ${server.bytesSent('nova-dpm')} bytes of ${packBytes}`)
  })

  it('dumb HTTP cannot fetch part of a history: the whole history of the commit comes, and the version is the same', { timeout: 240_000 }, async () => {
    const python = makeVenv()
    const result = await run('queens', python, 'dumb')
    assert.equal(result.code, 0, result.stdout)
    assert.match(result.stdout, /cannot send part of a history \(a dumb HTTP or old git server\): fetching the whole history of [0-9a-f]{12}\./)
    assert.equal(installed(python)['nova-dpm'], history.versions['queens-eol'])
    assert.equal(result.outputs['pip-spec'], `git+${server.repoUrl('nova-dpm', 'dumb')}@${commitOf('queens-eol')}#egg=nova-dpm`)
  })

  it('a failed build names the repository and commit, not only the directory pip was given', { timeout: 240_000 }, async () => {
    const python = makeVenv()
    const result = await run('queens', python, 'smart', world.indexWithoutBackend)
    assert.equal(result.code, 1)
    const sha = commitOf('queens-eol')
    assert.match(
      messages(result, 'error')[0],
      new RegExp(`^pip could not install the build requirements of "git\\+http://127\\.0\\.0\\.1:\\d+/smart/nova-dpm\\.git@${sha}#egg=nova-dpm \\(fetched into /\\S+/git/nova-dpm\\)"`)
    )
  })
})
