import assert from 'node:assert/strict'
import { execFile, execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { after, before, describe, it } from 'node:test'
import { ActionError } from '../../src/errors.js'
import { parseLsRemote } from '../../src/io/git.js'
import { fetchCheckout, isVersionTag, pbrDistance, versionTags } from '../../src/io/gitFetch.js'
import type { NetworkSettings } from '../../src/io/retry.js'
import { startGitServer, type GitServer } from '../fixtures/gitServer.js'
import { GIT_ENV } from '../fixtures/repos.js'
import { stdoutDuring } from '../fixtures/assertions.js'
import { tempDir } from '../fixtures/runAction.js'

const SHA = (c: string) => c.repeat(40)
const NETWORK: NetworkSettings = { retries: 0, timeoutSeconds: 10, retryMaxSeconds: 10, pipArgs: [] }
const LOOPBACK = { allowInsecure: false }
const BACKEND = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')

describe('isVersionTag: the tags pbr reads as versions', { timeout: 5_000 }, () => {
  // Each checked against pbr's SemanticVersion.from_pip_string (after its '-' -> '.'), run on its real source.
  const PBR: Record<string, boolean> = {
    '17.0.13': true,
    '18.0.0.0rc1': true,
    '2011.2': true,
    '1.2a1': true,
    'v1.0': true,
    '1.2.3-rc1': true,
    '1.2.3.4.g12': true,
    '1.0.0.dev3': true,
    '1.0.0.post2': true,
    '1.2.b4': true,
    '0': true,
    'queens-eol': false,
    'queens-em': false,
    '3.0.0-eol': false,
    '1.2.3.0': false,
    '1..2': false,
    '1.2.3.x': false,
    '1.2.3.0a': false,
    '1.2.3.dev': false,
    '1.x': false,
    '1.2.': false,
    '1.0.0a': false
  }
  for (const [tag, version] of Object.entries(PBR)) {
    it(`${tag}: ${version ? 'a version' : 'not a version'}`, () => assert.equal(isVersionTag(tag), version))
  }

  it('versionTags groups the version tags of a listing by commit, peeled, and leaves the others out', () => {
    const refs = parseLsRemote(
      [
        `${SHA('a')}\trefs/heads/master`,
        `${SHA('1')}\trefs/tags/17.0.13`,
        `${SHA('b')}\trefs/tags/17.0.13^{}`,
        `${SHA('2')}\trefs/tags/queens-em`,
        `${SHA('b')}\trefs/tags/queens-em^{}`,
        `${SHA('c')}\trefs/tags/queens-eol`,
        `${SHA('b')}\trefs/tags/17.0.12-1`
      ].join('\n')
    )
    assert.deepEqual([...versionTags(refs)], [[SHA('b'), ['17.0.13', '17.0.12-1']]])
  })
})

describe('pbrDistance: where pbr stops counting, in a fetched part of a history', { timeout: 5_000 }, () => {
  const tags = new Map([[SHA('t'), ['17.0.13']]])
  it('counts the commits before the first version-tagged one', () => {
    assert.deepEqual(pbrDistance([SHA('a'), SHA('b'), SHA('t'), SHA('c')], tags, new Set([SHA('t'), SHA('c')])), { tags: ['17.0.13'], distance: 2 })
    assert.deepEqual(pbrDistance([SHA('t')], tags, new Set([SHA('t')])), { tags: ['17.0.13'], distance: 0 })
  })
  it('gives up when a commit whose parents were not fetched comes first, or no tag comes at all', () => {
    assert.equal(pbrDistance([SHA('a'), SHA('p'), SHA('t')], tags, new Set([SHA('p'), SHA('t')])), undefined)
    assert.equal(pbrDistance([SHA('a'), SHA('b')], tags, new Set()), undefined)
  })
})

describe('fetchCheckout over smart HTTP', { timeout: 60_000 }, () => {
  let root: string
  let server: GitServer
  let commits: Record<string, string>
  const env = (time: number) => ({
    ...GIT_ENV,
    GIT_AUTHOR_DATE: `@${1_600_000_000 + time} +0000`,
    GIT_COMMITTER_DATE: `@${1_600_000_000 + time} +0000`
  })
  const git = (cwd: string, time: number, ...args: string[]) => execFileSync('git', args, { cwd, env: env(time), encoding: 'utf8' }).trim()

  before(() => {
    root = tempDir('git-fetch-test-')
    const work = path.join(root, 'work')
    fs.mkdirSync(work)
    git(work, 0, 'init', '-q', '-b', 'master')
    const commit = (name: string, time: number) => {
      fs.writeFileSync(path.join(work, `${name}.txt`), name)
      git(work, time, 'add', '-A')
      git(work, time, 'commit', '-q', '-m', name)
      return git(work, time, 'rev-parse', 'HEAD')
    }
    // A clock that ran fast: P is dated after the release T made on top of it. A change S
    // based on P merges right after T (first parent T, as Gerrit merges), so pbr's log
    // (newest first) meets P, which the release already holds, before T. 100 commits follow.
    commit('R', 1000)
    const p = commit('P', 5000)
    const t = commit('T', 2000)
    git(work, 2000, 'tag', '-a', '1.0.0', '-m', '1.0.0')
    git(work, 6000, 'checkout', '-q', '-b', 'change', p)
    const s = commit('S', 6000)
    git(work, 7000, 'checkout', '-q', 'master')
    git(work, 7000, 'merge', '-q', '--no-ff', '-m', 'M', 'change')
    for (let i = 1; i <= 100; i++) commit(`C${i}`, 8000 + i)
    commits = { P: p, T: t, S: s, HEAD: git(work, 0, 'rev-parse', 'HEAD') }
    git(root, 0, 'clone', '-q', '--bare', work, path.join(root, 'skewed.git'))
  })
  before(async () => {
    server = await startGitServer(root)
  })
  after(() => server.close())

  // Not execFileSync: the server answers from this process's event loop.
  const listing = async () => parseLsRemote((await promisify(execFile)('git', ['ls-remote', server.repoUrl('skewed')], { encoding: 'utf8' })).stdout)
  const pbrVersion = (dir: string) =>
    execFileSync('python3', ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(BACKEND)}); import backend; print(backend.git_version())`], { cwd: dir, encoding: 'utf8' }).trim()

  it('deepens the history until pbr meets the version tag, past a merge whose first parent is the tagged commit; the version is a whole clone\'s', async () => {
    const dir = path.join(tempDir(), 'checkout')
    const refs = await listing()
    const { out } = await stdoutDuring(() => fetchCheckout({ repository: server.repoUrl('skewed'), ref: 'refs/heads/master', sha: commits.HEAD, refs }, dir, NETWORK, LOOPBACK))
    assert.match(out, new RegExp(`Fetched 105 commits of '\\S+/smart/skewed\\.git': ${commits.HEAD.slice(0, 12)} is 103 commits after 1\\.0\\.0\\.`))
    const whole = path.join(tempDir(), 'whole')
    execFileSync('git', ['clone', '-q', path.join(root, 'skewed.git'), whole])
    assert.equal(pbrVersion(whole), '1.0.1.dev103', '100 commits, M, S and P come before T')
    assert.equal(pbrVersion(dir), '1.0.1.dev103')
  })

  it('a commit with a version tag is fetched alone, with its annotated tag, and builds that version', async () => {
    const dir = path.join(tempDir(), 'checkout')
    await fetchCheckout({ repository: server.repoUrl('skewed'), ref: 'refs/tags/1.0.0', sha: commits.T, refs: await listing() }, dir, NETWORK, LOOPBACK)
    assert.equal(execFileSync('git', ['rev-list', '--count', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim(), '1')
    assert.equal(execFileSync('git', ['describe', '--exact-match'], { cwd: dir, encoding: 'utf8' }).trim(), '1.0.0')
    assert.equal(pbrVersion(dir), '1.0.0')
  })

  it('a failed fetch names the repository, without its credentials', async () => {
    const missing = server.repoUrl('missing').replace('//', '//user:s3cr3t@')
    await assert.rejects(
      fetchCheckout({ repository: missing, ref: 'refs/heads/master', sha: commits.HEAD, refs: await listing() }, path.join(tempDir(), 'checkout'), NETWORK, LOOPBACK),
      (error: Error) => {
        assert.ok(error instanceof ActionError)
        assert.match(error.message, /^Could not fetch refs\/heads\/master \([0-9a-f]{12}\) from 'http:\/\/\*\*\*@127\.0\.0\.1:\d+\/smart\/missing\.git': .*Check the 'repository' input\.$/)
        assert.doesNotMatch(error.message, /s3cr3t/)
        return true
      }
    )
  })
})
