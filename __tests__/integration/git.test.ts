import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { installed, makeVenv, messages, runAction } from '../fixtures/runAction.js'
import { git, GIT_VERSIONS } from '../fixtures/repos.js'
import { useWorld } from '../fixtures/suite.js'
import { installInputs } from '../fixtures/world.js'

describe('modes stable and master, against real git repositories', () => {
  const world = useWorld()

  const inputs = (release: string, pkg: 'nova-dpm' | 'networking-dpm', python: string, extra: Record<string, string> = {}) =>
    installInputs(world, { release, mode: release === 'master' ? '' : 'stable', package: pkg, python, repository: world.repos[pkg], ...extra })

  for (const pkg of ['nova-dpm', 'networking-dpm'] as const) {
    it(`${pkg}: stable/queens installs the branch head, pinned to its commit`, { timeout: 120_000 }, async () => {
      const python = makeVenv()
      const run = await runAction(inputs('queens', pkg, python))
      assert.equal(run.code, 0, run.stdout)
      const sha = git(world.repos[pkg], 'rev-parse', 'stable/queens')
      assert.equal(run.outputs.commit, sha)
      assert.equal(run.outputs['pip-spec'], `git+file://${world.repos[pkg]}@${sha}#egg=${pkg}`)
      assert.equal(run.outputs.version, GIT_VERSIONS['stable/queens'])
      assert.equal(installed(python)[pkg], GIT_VERSIONS['stable/queens'])
      assert.equal(installed(python).zhmcclient, '0.18.0')
      assert.deepEqual(JSON.parse(run.outputs.commits), { [pkg]: sha })
      assert.deepEqual(JSON.parse(run.outputs.versions), { [pkg]: GIT_VERSIONS['stable/queens'] })
      // queens' constraints pin the package to 3.0.0: that line, and only it, was dropped.
      const dropped = run.stdout.split('\n').filter(l => l.startsWith('Dropped the pin '))
      assert.deepEqual(dropped, [
        `Dropped the pin '${pkg}===3.0.0' from the constraints: that project is installed from source, and pip refuses a pinned name given as a URL or path.`
      ])
      assert.match(run.stdout, /Constraints from \S+\/constraints\/upper\/queens \(4 lines\), sha256 [0-9a-f]{64}\n/)
      assert.match(run.summary, new RegExp(`<td>Pins dropped</td><td>${pkg}===3\\.0\\.0</td>`))
      assert.match(run.summary, new RegExp(`<td>${pkg}</td><td>${GIT_VERSIONS['stable/queens'].replace(/\./g, '\\.')} — git\\+file://\\S+@${sha}#egg=${pkg} — commit ${sha}</td>`))
    })
  }

  it('an end-of-life series falls back to its -eol tag, with a notice', { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const run = await runAction(inputs('ocata', 'nova-dpm', python))
    assert.equal(run.code, 0, run.stdout)
    assert.equal(run.outputs.commit, git(world.repos['nova-dpm'], 'rev-parse', 'ocata-eol^{commit}'))
    assert.equal(installed(python)['nova-dpm'], GIT_VERSIONS['ocata-eol'])
    assert.equal(installed(python).zhmcclient, '0.9.0')
    assert.match(messages(run, 'notice')[0], /stable\/ocata no longer exists .*installing the ocata-eol tag/)
  })

  it('release: master installs master with master constraints', { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const run = await runAction(inputs('master', 'networking-dpm', python))
    assert.equal(run.code, 0, run.stdout)
    assert.equal(run.outputs.commit, git(world.repos['networking-dpm'], 'rev-parse', 'master'))
    assert.equal(installed(python)['networking-dpm'], GIT_VERSIONS.master)
    assert.equal(installed(python).zhmcclient, '0.20.0')
    assert.doesNotMatch(run.stdout, /Dropped the pin/)
  })

  it('a retired branch fails saying so, and what still installs', { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const run = await runAction(inputs('rocky', 'nova-dpm', python))
    assert.equal(run.code, 1)
    assert.match(
      messages(run, 'error')[0],
      /^"nova-dpm from git\+file:\S+\/git\/nova-dpm@[0-9a-f]{40}#egg=nova-dpm" is not a Python project: it has neither setup\.py nor pyproject\.toml\. A branch that only holds a README is a retired one; install a released version \('mode: release' with ocata, pike, queens\)/
    )
    assert.match(messages(run, 'error')[0], /\npip changed nothing; the environment is as it was\.$/)
    assert.equal(run.outputs.commit, undefined, 'no outputs but the releases')
    assert.deepEqual(JSON.parse(run.outputs.releases), ['ocata', 'pike', 'queens'])
    assert.equal(installed(python)['nova-dpm'], undefined)
  })

  it('a series with neither branch nor tag lists the refs that exist', { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const run = await runAction(inputs('stein', 'nova-dpm', python))
    assert.equal(run.code, 1)
    assert.match(messages(run, 'error')[0], /has no 'stable\/stein' or 'stein-eol'\. Refs it has for stable series: .*stable\/pike.*stable\/queens.*ocata-eol/)
  })

  it('missing build requirements fail with a clear reason', { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const run = await runAction(inputs('queens', 'nova-dpm', python, { 'index-url': world.indexWithoutBackend }))
    assert.equal(run.code, 1)
    assert.match(
      messages(run, 'error')[0],
      /^pip could not install the build requirements of "file:\/\/\S+\/git\/nova-dpm \(revision [0-9a-f]{40}\)" \(its pyproject\.toml \[build-system\] requires, such as setuptools, wheel or pbr\): "No matching distribution found for dpm-fixture-backend>=1\.0"\. Make sure the package index/
    )
    assert.equal(installed(python)['nova-dpm'], undefined)
  })

  it('a repository that does not exist fails naming the input', { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const run = await runAction(inputs('queens', 'nova-dpm', python, { repository: `${world.repos['nova-dpm']}-missing` }))
    assert.equal(run.code, 1)
    assert.match(messages(run, 'error')[0], /Could not read the git repository .*nova-dpm-missing.*Check the 'repository' input/)
  })
})
