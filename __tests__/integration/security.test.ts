/**
 * Issue 9, tried as a hostile user would, through dist/index.js: the action
 * never empties a directory it did not make, never lets an input write a
 * workflow command, fetches only over the transport rule (every redirect
 * hop included), and never prints a credential in any spelling.
 */
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { before, describe, it } from 'node:test'
import { installed, makeVenv, runAction, tempDir, type ActionRun } from '../fixtures/runAction.js'
import { AUTH, installInputs } from '../fixtures/world.js'
import { useWorld } from '../fixtures/suite.js'
import { failsOnce } from '../fixtures/assertions.js'
import { serve } from '../fixtures/loopback.js'

const DEBIAN_PYTHON = '/usr/bin/python3'
/** Written by the action into every venv it makes (python/venv.ts VENV_MARKER). */
const MARKER = '.setup-nova-dpm-venv'

/** This machine's first address that is not loopback: a "remote" host a loopback server may not send the action to. */
function remoteAddress(): string {
  const address = Object.values(os.networkInterfaces())
    .flat()
    .find(a => a && a.family === 'IPv4' && !a.internal)?.address
  if (!address) throw new Error('This machine has no non-loopback IPv4 address; the redirect test needs one to listen on.')
  return address
}

/** Every file under a directory with its bytes, to prove nothing was touched. */
function snapshot(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name)
    if (entry.isFile()) files.set(path.relative(dir, full), fs.readFileSync(full))
    else if (entry.isDirectory()) files.set(`${path.relative(dir, full)}/`, Buffer.alloc(0))
  }
  return files
}

function writeFiles(dir: string, files: Record<string, string>): string {
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    fs.writeFileSync(path.join(dir, name), content)
  }
  return dir
}


/** Nothing exported for later steps. */
function exportsNothing(run: ActionRun): void {
  assert.deepEqual(run.exported, {}, 'GITHUB_ENV is empty')
  assert.deepEqual(run.paths, [], 'GITHUB_PATH is empty')
}

describe('security: nothing lost, injected or leaked', () => {
  const world = useWorld()
  let python: string
  let port: string
  before(() => {
    python = makeVenv()
    port = new URL(world.url).port
  })

  const base = (extra: Record<string, string> = {}) => installInputs(world, { release: 'pike', python, retries: '0', ...extra })

  describe('venv-path: never clears a directory the action did not make', () => {
    it('a workspace and a home directory with files are refused by name and left byte for byte', { timeout: 60_000 }, async () => {
      const workspace = writeFiles(tempDir('nova-dpm-workspace-'), { 'README.md': '# my project\n', 'src/app.py': 'print("hello")\n', '.git/HEAD': 'ref: refs/heads/main\n' })
      const home = writeFiles(tempDir('nova-dpm-home-'), { '.bashrc': 'export PS1=x\n', '.ssh/id_ed25519': 'PRIVATE KEY\n' })
      // Relative to the workspace ('.'), '~' for the home directory, and both by absolute path, also as a venv cache target.
      const cases: [string, string, Record<string, string>][] = [
        [workspace, '.', {}],
        [home, '~', {}],
        [workspace, workspace, { cache: 'venv' }],
        [home, home, { venv: 'true' }]
      ]
      for (const [dir, venvPath, extra] of cases) {
        const before = snapshot(dir)
        const run = await runAction(base({ venv: 'true', 'venv-path': venvPath, ...extra }), { GITHUB_WORKSPACE: workspace, HOME: home })
        const error = failsOnce(run)
        assert.ok(error.includes(`${dir} `) || error.includes(`${dir}'`), `the error names ${dir}: ${error}`)
        assert.match(error, /did not create/)
        assert.deepEqual(snapshot(dir), before, `${dir} is unchanged`)
        exportsNothing(run)
      }
    })

    it('an empty directory is used, a failed install exports nothing, and the half-made venv is the action\'s to replace', { timeout: 120_000 }, async () => {
      // Debian's interpreter is externally managed: venv: auto makes a venv at venv-path.
      const workspace = tempDir('nova-dpm-workspace-')
      const venv = path.join(workspace, 'venvs', 'one')
      fs.mkdirSync(venv, { recursive: true })
      const env = { GITHUB_WORKSPACE: workspace, HOME: workspace }
      const inputs = { python: DEBIAN_PYTHON, 'venv-path': 'venvs/one' }

      // A dry run names the interpreter and the venv the real run then uses, and makes nothing.
      const dry = await runAction(base({ ...inputs, 'dry-run': 'true' }), env)
      assert.equal(dry.code, 0, dry.stdout)
      assert.equal(dry.outputs['python-path'], path.join(venv, 'bin', 'python'))
      assert.match(dry.stdout, new RegExp(`Dry run: would install .* into ${venv}/bin/python \\(a venv made from /usr/bin/python3`))
      assert.deepEqual(fs.readdirSync(venv), [])
      exportsNothing(dry)

      // The index fails: the venv exists (the empty directory was taken), but nothing points later steps at it.
      const failed = await runAction(base({ ...inputs, 'index-url': world.unavailableIndexUrl }), env)
      failsOnce(failed)
      assert.ok(fs.existsSync(path.join(venv, 'bin', 'python')), 'the venv was created in the empty directory')
      assert.ok(fs.existsSync(path.join(venv, MARKER)))
      exportsNothing(failed)

      // The same directory through '~': the action's own venv is replaced, and everything reported is absolute.
      const run = await runAction(base({ ...inputs, 'venv-path': '~/venvs/one' }), env)
      assert.equal(run.code, 0, run.stdout)
      assert.equal(run.outputs['python-path'], dry.outputs['python-path'])
      assert.equal(run.exported.VIRTUAL_ENV, venv)
      assert.deepEqual(run.paths, [path.join(venv, 'bin')])
      assert.equal(installed(path.join(venv, 'bin', 'python'))['nova-dpm'], '2.0.1')
      assert.ok(!fs.existsSync(path.join(workspace, '~')), 'no literal ./~ directory')
    })
  })

  describe('inputs are data, never workflow commands', () => {
    const injections = ['\n::set-output name=x::y', '\n::warning::injected', '%0A::set-output name=x::y', '%0a::warning::injected']
    const targets: [string, (tail: string) => string][] = [
      ['constraints', tail => `${world.constraintsUrl('pike')}${tail}`],
      ['constraints', tail => `${tempDir()}/upper-constraints.txt${tail}`],
      ['venv-path', tail => `${tempDir()}/venv${tail}`],
      ['python', tail => `${python}${tail}`],
      ['index-url', tail => `${world.indexUrl}${tail}`],
      ['repository', tail => `https://opendev.org/x/{package}${tail}`]
    ]
    for (const [input, value] of targets) {
      it(`${input} with a line break (raw and %0A) is an input error and prints no command`, { timeout: 60_000 }, async () => {
        const runs = await Promise.all(injections.map(tail => runAction(base({ venv: 'true', [input]: value(tail) }))))
        for (const run of runs) {
          const error = failsOnce(run)
          assert.match(error, new RegExp(`Input '${input}' (holds|contains) a (control character|line break)`))
          // The runner executes a line that starts with '::'. The action's own: the error, masks, debug lines.
          const commands = run.stdout.split('\n').filter(line => line.startsWith('::'))
          assert.deepEqual(commands.filter(line => !/^::(error|add-mask|debug)::/.test(line)), [], run.stdout)
          assert.equal(commands.filter(line => line.startsWith('::error')).length, 1)
          assert.ok(!('x' in run.outputs), 'GITHUB_OUTPUT has no x')
          exportsNothing(run)
        }
      })
    }
  })

  describe('one transport rule, on every hop', () => {
    const refused: [string, Record<string, string>, RegExp][] = [
      ['repository git://', { repository: 'git://127.0.0.1/x/{package}' }, /git:\/\/, which has neither authentication nor encryption/],
      ['repository ext::', { repository: 'ext::sh -c touch% /tmp/setup-nova-dpm-pwned' }, /remote-helper syntax 'ext::'/],
      ['repository fd::', { repository: 'fd::3' }, /remote-helper syntax 'fd::'/],
      ['repository https::http://', { repository: 'https::http://127.0.0.1/x/{package}' }, /remote-helper syntax 'https::'/],
      ['constraints file:', { constraints: 'file:///etc/passwd' }, /Input 'constraints' uses the scheme 'file'/],
      ['constraints ftp:', { constraints: 'ftp://127.0.0.1/upper-constraints.txt' }, /Input 'constraints' uses the scheme 'ftp'/],
      ['index-url file:', { 'index-url': 'file:///tmp/simple' }, /Input 'index-url' uses the scheme 'file'/],
      ['index-url ftp:', { 'index-url': 'ftp://127.0.0.1/simple' }, /Input 'index-url' uses the scheme 'ftp'/]
    ]
    for (const [what, inputs, message] of refused) {
      it(`refuses ${what}`, { timeout: 30_000 }, async () => {
        // mode stable: a repository that got through would be handed to git.
        const run = await runAction(base({ mode: 'stable', ...inputs }))
        assert.match(failsOnce(run), message)
        assert.ok(!fs.existsSync('/tmp/setup-nova-dpm-pwned'), 'git ran no helper')
      })
    }

    it('a redirect to file: is refused', { timeout: 30_000 }, async () => {
      const run = await runAction(base({ constraints: `${world.url}/redirect-file` }))
      assert.match(failsOnce(run), /redirect-file' redirects to 'file:\/\/\/etc\/passwd': only http\(s\) is fetched/)
      assert.doesNotMatch(run.stdout, /root:x:0:0/)
    })

    it('a loopback server may not send the action to another host: the other host is never contacted', { timeout: 30_000 }, async () => {
      // allow-insecure: plain http to the other host would be allowed; only the loopback rule stands in the way.
      const remote = await serve((_req, res) => res.end('zhmcclient===0.18.0\n'), remoteAddress())
      const redirector = await serve((_req, res) => res.writeHead(302, { location: `${remote.url}/upper-constraints.txt` }).end())
      try {
        const run = await runAction(base({ constraints: `${redirector.url}/pike`, 'allow-insecure': 'true' }))
        assert.match(failsOnce(run), /redirects to 'http:\/\/.*\/upper-constraints\.txt': a server on this machine may not send the action to another host/)
        assert.deepEqual(remote.hits, [])
        assert.deepEqual(redirector.hits.map(r => r.url), ['/pike'])
        // The world's redirect to TEST-NET-1 is refused before any connection is tried, so at once.
        const started = Date.now()
        const testNet = await runAction(base({ constraints: `${world.url}/redirect-remote`, 'allow-insecure': 'true', timeout: '20' }))
        assert.match(failsOnce(testNet), /a server on this machine may not send the action to another host/)
        assert.ok(Date.now() - started < 15_000)
      } finally {
        await remote.close()
        await redirector.close()
      }
    })

    it('credentials in a constraints URL are sent as HTTP Basic auth, and masked', { timeout: 30_000 }, async () => {
      const url = world.authConstraintsUrl('pike').replace('http://', `http://${AUTH.user}:${AUTH.password}@`)
      const run = await runAction(base({ constraints: url, 'dry-run': 'true' }))
      assert.equal(run.code, 0, run.stdout)
      assert.match(run.stdout, /Constraints from http:\/\/\*\*\*@127\.0\.0\.1:\d+\/auth\/constraints\/upper\/pike \(2 lines\)/)
      assert.ok(run.stdout.split('\n').includes(`::add-mask::${AUTH.password}`))
      assertNowhere(run, [AUTH.password])
    })
  })

  /** None of the secrets in the log (outside the masks themselves), the annotations, the summary or the outputs. */
  function assertNowhere(run: ActionRun, secrets: string[]): void {
    const log = run.stdout
      .split('\n')
      .filter(line => !line.startsWith('::add-mask::'))
      .join('\n')
    for (const secret of secrets) {
      assert.ok(!log.includes(secret), `the log shows ${secret}:\n${log}`)
      assert.ok(!JSON.stringify(run.annotations).includes(secret), `an annotation shows ${secret}`)
      assert.ok(!run.summary.includes(secret), `the summary shows ${secret}`)
      assert.ok(!JSON.stringify(run.outputs).includes(secret), `an output shows ${secret}`)
    }
  }

  describe('secrets are masked in every spelling', () => {
    // Each run prints the URL (in pip's command line, an error, the summary or an output), so each would show a secret it failed to hide.
    const cases: [string, () => Record<string, string>, string[]][] = [
      [
        'a percent-encoded password with lower-case escapes (index-url)',
        () => ({ 'index-url': `http://ci:p%40ss%2fw0rd@127.0.0.1:${port}/simple-503/` }),
        ['p%40ss%2fw0rd', 'p%40ss%2Fw0rd', 'p@ss/w0rd', Buffer.from('ci:p@ss/w0rd').toString('base64')]
      ],
      [
        'a percent-encoded password with upper-case escapes (constraints)',
        () => ({ constraints: `http://u:T0K%2FEN%3Aend@127.0.0.1:${port}/auth/constraints/upper/pike` }),
        ['T0K%2FEN%3Aend', 'T0K%2fEN%3aend', 'T0K/EN:end']
      ],
      ['a token-only user (index-url)', () => ({ 'index-url': `http://t0kenOnly42@127.0.0.1:${port}/auth/simple/` }), ['t0kenOnly42']],
      ['an scp-like user:token@host:path (repository)', () => ({ mode: 'stable', repository: 'deploy:scpT0ken99@nohost.invalid:x/{package}' }), ['scpT0ken99']],
      [
        'a token in a git URL that is installed from (pip-spec output, summary)',
        () => ({ mode: 'stable', repository: `http://x-access-token:gitT0ken77@127.0.0.1:${port}/git/{package}.git`, 'dry-run': 'true' }),
        ['gitT0ken77']
      ]
    ]
    for (const [what, inputs, secrets] of cases) {
      it(what, { timeout: 60_000 }, async () => {
        const run = await runAction(base(inputs()))
        assert.ok(/\*\*\*@/.test(run.stdout + JSON.stringify(run.outputs)), 'the URL was printed, its credentials hidden')
        // The runner is asked to mask every spelling too (a command's data escapes '%', CR and LF).
        const masks = run.stdout
          .split('\n')
          .filter(line => line.startsWith('::add-mask::'))
          .map(line => line.slice('::add-mask::'.length).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'))
        for (const secret of secrets) assert.ok(masks.includes(secret), `${secret} is masked: ${masks.join(' ')}`)
        assertNowhere(run, secrets)
      })
    }
  })

  it('a constraints URL serving an arbitrary file: line numbers and a short excerpt of the first bad line only', { timeout: 30_000 }, async () => {
    const passwd = [
      'root:x:0:0:root:/root:/bin/bash-with-a-rather-long-shell-path',
      'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
      'bin:x:2:2:bin:/bin:/usr/sbin/nologin',
      'secretuser:x:1000:1000:Secret User,,,:/home/secretuser:/bin/bash'
    ]
    const server = await serve((_req, res) => res.end(passwd.join('\n') + '\n'))
    try {
      const run = await runAction(base({ constraints: `${server.url}/etc/passwd` }))
      const error = failsOnce(run)
      assert.match(error, /4 line\(s\) that are not 'name===version' constraints \(line 1, 2, 3, 4; line 1: 'root…'\)/)
      for (const line of passwd.slice(1)) assert.ok(!run.stdout.includes(line.split(':')[0] + ':x'), `the log shows '${line}'`)
      assert.ok(!run.stdout.includes('rather-long-shell-path'))
    } finally {
      await server.close()
    }
  })

  it('a dotenv file as constraints, a netrc as a -r file: their shape is named, no value of theirs is printed', { timeout: 60_000 }, async () => {
    const values = ['eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'deploy', 'hunter2']
    const workspace = writeFiles(tempDir('nova-dpm-workspace-'), {
      '.env': `ACTIONS_RUNTIME_TOKEN=${values[0]}\nAWS_SECRET_ACCESS_KEY=${values[1]}\n`,
      'ci/netrc': `machine pypi.example.org login ${values[2]} password ${values[3]}\n`
    })
    const env = await runAction(base({ constraints: '.env' }), { GITHUB_WORKSPACE: workspace })
    assert.match(failsOnce(env), /2 line\(s\) that are not 'name===version' constraints \(line 1, 2; line 1: an unquoted NAME=value assignment\)/)
    const netrc = await runAction(base({ requirements: '-r ci/netrc' }), { GITHUB_WORKSPACE: workspace })
    assert.match(failsOnce(netrc), /^requirements file '.*\/ci\/netrc', line 1: 'machine pypi\.example\.org…' is not a requirement/)
    for (const run of [env, netrc]) assertNowhere(run, values)
  })
})
