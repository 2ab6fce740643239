import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { before, describe, it } from 'node:test'
import { cleanEnv, installed, makeVenv, messages, runAction, tempDir } from '../fixtures/runAction.js'
import { useWorld } from '../fixtures/suite.js'
import { installInputs } from '../fixtures/world.js'

describe('failures: clear errors, no stack traces, nothing installed', () => {
  const world = useWorld()
  let python: string
  before(() => {
    python = makeVenv()
  }, { timeout: 60_000 })

  const base = (extra: Record<string, string> = {}) => installInputs(world, { release: 'queens', python, ...extra })

  async function fails(inputs: Record<string, string>, message: RegExp, env: Record<string, string> = {}) {
    const run = await runAction(inputs, env)
    assert.equal(run.code, 1, run.stdout)
    const errors = messages(run, 'error')
    assert.equal(errors.length, 1, run.stdout)
    assert.match(errors[0], message)
    assert.doesNotMatch(run.stdout, /^\s+at .+\(.+:\d+:\d+\)$/m, 'no stack trace in the log')
    return run
  }

  const rows: [string, Record<string, string>, RegExp][] = [
    ['a misspelt release', { release: 'quens' }, /unknown OpenStack series 'quens'. Did you mean 'queens'\?/],
    ['a series without a release', { release: 'rocky' }, /no release for OpenStack rocky.*ocata \(1\.x\), pike \(2\.x\), queens \(3\.x\)/],
    ['a mode/release contradiction', { mode: 'master' }, /'release: queens' and 'mode: master' contradict/],
    ['an invalid version range', { version: '3.x; rm -rf /' }, /^Input 'version' is neither a PEP 440 specifier nor a semver range: '3\.x; rm -rf \/'\./],
    ['a constraints URL that answers 404', {}, /not found \(HTTP 404\) at .*\/constraints\/upper\/bexar/],
    ['an HTML page as constraints', { constraints: '' }, /are an HTML page/],
    [
      'a constraints file with bad lines',
      { constraints: '' },
      /have 2 line\(s\) that are not 'name===version' constraints \(line 2, 4; line 2: 'this is not a constraint'\)\. Point 'constraints' at an upper-constraints\.txt\.$/
    ],
    ['a redirect loop', { constraints: '' }, /redirected more than 10 times/],
    [
      'a host that keeps answering 503',
      { constraints: '' },
      /^The constraints file could not be fetched from 'http:\/\/127\.0\.0\.1:\d+\/always-503': HTTP 503, asked to retry after 0 s \(tried 4 times\)\./
    ],
    ['plain http to a remote host', { 'index-url': 'http://pypi.example.com/simple' }, /plain http to pypi\.example\.com.*allow-insecure/],
    ['an option smuggled in a value', { 'index-url': '--extra-index-url=https://evil.example.com' }, /Input 'index-url' must not start with '-'/],
    ['a missing interpreter', { python: 'python-does-not-exist' }, /'python-does-not-exist', which is not on PATH/]
  ]
  for (const [what, inputs, message] of rows) {
    it(what, { timeout: 60_000 }, async () => {
      // URLs of the loopback world are known only once it runs.
      const paths: Record<string, string> = {
        'an HTML page as constraints': '/html',
        'a constraints file with bad lines': '/bad-lines',
        'a redirect loop': '/loop',
        'a host that keeps answering 503': '/always-503',
        'a constraints URL that answers 404': '/constraints/upper/bexar'
      }
      const extra = paths[what] ? { ...inputs, constraints: `${world.url}${paths[what]}` } : inputs
      await fails(base(extra), message)
      assert.equal(installed(python)['nova-dpm'], undefined)
    })
  }

  it('shell syntax in values is never run: every value is one argument', { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const marker = path.join(dir, 'marker')
    const injected = `$(touch ${marker})`
    await fails(base({ mode: 'stable', repository: `${dir}/${injected}` }), /Could not read the git repository/)
    await fails(base({ constraints: `${dir}/${injected};touch ${marker}` }), /^Input 'constraints' .*'\/\S+\/\$\(touch \S+\/marker\);touch \S+\/marker' does not exist\. Check the path\.$/)
    // A relative path starts at the workspace (here the runner's working directory).
    await fails(base({ python: injected }), /^The Python interpreter '\/\S+\/\$\(touch \S+\/marker\)' does not exist\. Check the 'python' input\.$/)
    // A value with shell syntax that is valid is used literally: the venv lands in a directory of that name.
    const venvPath = path.join(dir, `venv ${injected}; \`touch ${marker}\``)
    const run = await runAction(base({ venv: 'true', 'venv-path': venvPath }))
    assert.equal(run.code, 0, run.stdout)
    assert.equal(run.outputs['python-path'], path.join(venvPath, 'bin', 'python'))
    assert.equal(installed(run.outputs['python-path'])['nova-dpm'], '3.0.0')
    assert.equal(fs.existsSync(marker), false)
  })

  it('URL credentials are masked before they could be printed, and kept out of outputs', { timeout: 60_000 }, async () => {
    const secretIndex = world.indexUrl.replace('http://', 'http://ci-user:s3cret-token@')
    const run = await runAction(base({ 'index-url': secretIndex, 'dry-run': 'true' }))
    assert.equal(run.code, 0, run.stdout)
    const lines = run.stdout.split('\n')
    const firstMention = lines.findIndex(l => l.includes('s3cret-token'))
    assert.equal(lines[firstMention], '::add-mask::s3cret-token')
    assert.ok(!JSON.stringify(run.outputs).includes('s3cret'))
    assert.ok(!run.summary.includes('s3cret'))
  })

  it('an interpreter without pip is refused with the ensurepip hint', { timeout: 60_000 }, async () => {
    const dir = tempDir()
    execFileSync('python3', ['-m', 'venv', '--without-pip', dir], { env: cleanEnv() })
    await fails(base({ python: path.join(dir, 'bin', 'python') }), /has no pip\. Run '.*-m ensurepip --upgrade'/)
  })

  it('a package that installs but does not import fails verification', { timeout: 120_000 }, async () => {
    const broken = makeVenv()
    await fails(base({ python: broken, version: '9.x', constraints: 'none' }), /nova-dpm 9\.9\.9 is installed but 'import nova_dpm' fails: ImportError: needs the zhmc native library/)
  })

  it('pip failures are summarised in one annotation', { timeout: 120_000 }, async () => {
    // Nothing on the index matches: the request, not the Python, is at fault.
    const none = await fails(
      base({ release: 'pike', constraints: world.constraintsUrl('pike'), version: '2.5.x' }),
      /^No version of "nova-dpm" on "http:\/\/127\.0\.0\.1:\d+\/simple\/" matches "nova-dpm<2\.6\.0,>=2\.5\.0"; pip saw 1\.0\.0, 1\.0\.1, 2\.0\.0, 2\.0\.1, 3\.0\.0, 9\.9\.7, 9\.9\.9\. .*\npip changed nothing; the environment is as it was\.$/
    )
    assert.doesNotMatch(messages(none, 'error')[0], /Likely cause/)
    // queens' constraints pin nova-dpm===3.0.0, which a 9.x request cannot meet.
    const conflict = await fails(base({ version: '9.x' }), /^pip cannot satisfy the requirements together with the constraints: .*The constraints involved: line 3 "nova-dpm===3\.0\.0"\./)
    assert.match(messages(conflict, 'warning').join('\n'), /outside queens's releases/)
  })
})
