import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as https from 'node:https'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ActionError } from '../../src/errors.js'
import { parseLsRemote, pickRef, resolveGitRef } from '../../src/io/git.js'
import type { NetworkSettings } from '../../src/io/retry.js'
import { gitEnvironment } from '../../src/io/transport.js'
import { stdoutDuring } from '../fixtures/assertions.js'
import { listen, serve, type Listening } from '../fixtures/loopback.js'
import { git, GIT_ENV } from '../fixtures/repos.js'

const STRICT = { allowInsecure: false }
const INSECURE = { allowInsecure: true }
const SHA = (c: string) => c.repeat(40)

const LS_REMOTE = `${SHA('a')}\trefs/heads/master
${SHA('b')}\trefs/heads/stable/queens
${SHA('c')}\trefs/tags/ocata-eol
${SHA('d')}\trefs/tags/ocata-eol^{}
${SHA('e')}\trefs/tags/3.0.0
warning: redirecting to https://opendev.org/x/nova-dpm/
`

describe('parseLsRemote and pickRef', { timeout: 5_000 }, () => {
  it('maps annotated tags to the commit they point at, and skips chatter', () => {
    const refs = parseLsRemote(LS_REMOTE)
    assert.equal(refs.get('refs/tags/ocata-eol'), SHA('d'))
    assert.equal(refs.get('refs/tags/3.0.0'), SHA('e'))
    assert.equal(refs.get('refs/heads/stable/queens'), SHA('b'))
    assert.equal(refs.size, 4)
  })

  it('prefers the stable branch, then the eol tag', () => {
    const refs = parseLsRemote(LS_REMOTE)
    assert.deepEqual(pickRef(refs, ['refs/heads/stable/queens', 'refs/tags/queens-eol']), { ref: 'refs/heads/stable/queens', sha: SHA('b') })
    assert.deepEqual(pickRef(refs, ['refs/heads/stable/ocata', 'refs/tags/ocata-eol']), { ref: 'refs/tags/ocata-eol', sha: SHA('d') })
    assert.equal(pickRef(refs, ['refs/heads/stable/rocky', 'refs/tags/rocky-eol']), undefined)
  })
})

function network(timeoutSeconds: number, retries = 0): NetworkSettings {
  return { retries, timeoutSeconds, retryMaxSeconds: 60, pipArgs: [] }
}

/** Records what is written to stdout (the runner's commands) while passing it on. */
async function rejects(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ActionError, `an ActionError, not ${String(error)}`)
    for (const p of patterns) assert.match(error.message, p)
    return true
  })
}

describe('resolveGitRef', { timeout: 60_000 }, () => {
  let dir: string
  let bare: string
  let commits: Record<string, string>
  let base: string
  let server: Listening
  const hits: string[] = []
  const sockets = new Set<net.Socket>()
  const timers = new Set<NodeJS.Timeout>()
  let trickleClosedAt = 0

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'git-test-'))
    const work = path.join(dir, 'nova-dpm')
    fs.mkdirSync(work)
    git(work, 'init', '-q', '-b', 'master')
    const commit = (message: string) => {
      fs.writeFileSync(path.join(work, 'file.txt'), message)
      git(work, 'add', '-A')
      git(work, 'commit', '-q', '-m', message)
    }
    commit('ocata')
    git(work, 'tag', '-a', 'ocata-eol', '-m', 'ocata end of life')
    git(work, 'checkout', '-q', '-b', 'stable/pike')
    commit('pike')
    git(work, 'checkout', '-q', '-b', 'stable/queens')
    commit('queens')
    git(work, 'checkout', '-q', 'master')
    commit('master')
    commits = Object.fromEntries(['stable/pike', 'stable/queens', 'ocata-eol^{commit}', 'master'].map(r => [r, git(work, 'rev-parse', r)]))
    bare = path.join(dir, 'nova-dpm.git')
    git(dir, 'clone', '-q', '--bare', work, bare)
    git(bare, 'update-server-info')

    // git's dumb HTTP protocol: the bare repository as static files. /flaky answers the first ref listing with 503,
    // /stall accepts and never answers, /trickle sends refs at 4 KiB/s forever (above curl's low-speed limit).
    let flaky = 0
    const site = http.createServer((req, res) => {
      const { pathname } = new URL(req.url!, 'http://x')
      hits.push(pathname)
      const m = pathname.match(/^\/(git|flaky|stall|trickle)\/nova-dpm\.git\/([\w./-]+)$/)
      if (!m || m[2].includes('..')) return res.writeHead(404).end()
      if (m[1] === 'stall') return
      if (m[1] === 'flaky' && flaky++ === 0) return res.writeHead(503).end()
      if (m[1] === 'trickle') {
        res.writeHead(200, { 'content-type': 'text/plain' })
        const line = `${SHA('f')}\trefs/heads/filler\n`
        const timer = setInterval(() => res.write(line.repeat(Math.ceil(1024 / line.length))), 250)
        timers.add(timer)
        req.on('close', () => {
          clearInterval(timer)
          trickleClosedAt = Date.now()
        })
        return
      }
      const file = path.join(bare, m[2])
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return res.writeHead(404).end()
      res.end(fs.readFileSync(file))
    })
    site.on('connection', s => sockets.add(s))
    server = await listen(site)
    base = server.url
  })

  after(async () => {
    for (const t of timers) clearInterval(t)
    await server.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('resolves a stable branch of a local repository', async () => {
    const { value, out } = await stdoutDuring(() => resolveGitRef(bare, ['refs/heads/stable/queens', 'refs/tags/queens-eol'], 'queens', network(10), STRICT))
    assert.deepEqual({ ref: value.ref, sha: value.sha }, { ref: 'refs/heads/stable/queens', sha: commits['stable/queens'] })
    assert.equal(value.refs.get('refs/tags/ocata-eol'), commits['ocata-eol^{commit}'])
    assert.match(out, new RegExp(`stable/queens is at ${commits['stable/queens']}`))
  })

  it('falls back to the -eol tag with a notice', async () => {
    const { value, out } = await stdoutDuring(() => resolveGitRef(bare, ['refs/heads/stable/ocata', 'refs/tags/ocata-eol'], 'ocata', network(10), STRICT))
    assert.deepEqual({ ref: value.ref, sha: value.sha }, { ref: 'refs/tags/ocata-eol', sha: commits['ocata-eol^{commit}'] })
    assert.match(out, /::notice::stable\/ocata no longer exists \(the series reached end of life\); installing the ocata-eol tag, commit [0-9a-f]{12}\./)
  })

  it('lists the related refs when neither exists', async () => {
    await rejects(
      resolveGitRef(bare, ['refs/heads/stable/stein', 'refs/tags/stein-eol'], 'stein', network(10), STRICT),
      /has no 'stable\/stein' or 'stein-eol'\. Refs it has for stable series: .*stable\/pike.*stable\/queens.*ocata-eol.*'mode: release'/
    )
  })

  it('says a repository that is not there cannot be read, without its credentials', async () => {
    await rejects(
      resolveGitRef(`${base.replace('//', '//user:s3cr3t@')}/git/nova-dpm-missing.git`, ['refs/heads/master'], 'master', network(10), STRICT),
      /^Could not read the git repository 'http:\/\/\*\*\*@127\.0\.0\.1:\d+\/git\/nova-dpm-missing\.git': .*Check the 'repository' input\.$/,
      /^(?![\s\S]*s3cr3t)/
    )
  })

  it('reads a repository over loopback http (dumb protocol)', async () => {
    const picked = await resolveGitRef(`${base}/git/nova-dpm.git`, ['refs/heads/stable/pike'], 'pike', network(10), STRICT)
    assert.equal(picked.sha, commits['stable/pike'])
  })

  it('retries a 503 from the server', async () => {
    const picked = await resolveGitRef(`${base}/flaky/nova-dpm.git`, ['refs/heads/master'], 'master', network(10, 1), STRICT)
    assert.equal(picked.sha, commits['master'])
    assert.equal(hits.filter(h => h === '/flaky/nova-dpm.git/info/refs').length, 2)
  })

  it('gives up on a server that accepts and never answers, at the timeout', async () => {
    const started = Date.now()
    await rejects(
      resolveGitRef(`${base}/stall/nova-dpm.git`, ['refs/heads/master'], 'master', network(2), STRICT),
      /^Could not reach the git repository '.*\/stall\/nova-dpm\.git': .*\(tried 1 time\)\. Re-run the job later\.$/
    )
    const took = Date.now() - started
    assert.ok(took >= 1900 && took < 5000, `took ${took} ms`)
  })

  it('kills ls-remote at the timeout when a server trickles just fast enough for curl', async () => {
    const started = Date.now()
    await rejects(
      resolveGitRef(`${base}/trickle/nova-dpm.git`, ['refs/heads/master'], 'master', network(2), STRICT),
      /no answer within 2 s \(tried 1 time\)/
    )
    const took = Date.now() - started
    assert.ok(took >= 1900 && took < 5000, `took ${took} ms`)
    // The whole process group is gone: the connection closed with it.
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.ok(trickleClosedAt > 0 && trickleClosedAt - started < 5000, 'the server saw the connection close')
  })

  it('gives up on an ssh server that never speaks, at the timeout', async () => {
    const silent = await listen(net.createServer(socket => sockets.add(socket)))
    try {
      const started = Date.now()
      const repository = `ssh://git@127.0.0.1:${silent.port}/nova-dpm.git`
      await rejects(resolveGitRef(repository, ['refs/heads/master'], 'master', network(2), STRICT), /Could not reach the git repository/)
      const took = Date.now() - started
      assert.ok(took < 5000, `took ${took} ms`)
    } finally {
      for (const s of sockets) s.destroy()
      await silent.close()
    }
  })

  it("never lets a repository value be read as an option of git's", async () => {
    // Run from a clone, where a bare `git ls-remote --upload-pack=…` would list its origin with that command.
    const clone = path.join(dir, 'clone')
    git(dir, 'clone', '-q', bare, clone)
    const marker = path.join(dir, 'upload-pack-ran')
    const cwd = process.cwd()
    process.chdir(clone)
    try {
      await rejects(
        resolveGitRef(`--upload-pack=touch ${marker}; git-upload-pack`, ['refs/heads/master'], 'master', network(5), STRICT),
        /Could not read the git repository '--upload-pack=touch /
      )
    } finally {
      process.chdir(cwd)
    }
    assert.equal(fs.existsSync(marker), false)
  })

  it('says git is missing when it is not on PATH', async () => {
    const saved = process.env.PATH
    process.env.PATH = dir
    try {
      await rejects(resolveGitRef(bare, ['refs/heads/master'], 'master', network(5), STRICT), /git is not installed/)
    } finally {
      process.env.PATH = saved
    }
  })
})

describe('gitEnvironment, as git applies it', { timeout: 60_000 }, () => {
  let dir: string
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'git-env-test-'))
  })
  after(() => fs.rmSync(dir, { recursive: true, force: true }))

  /** ls-remote with the user's config allowing every protocol, and our overlay on top (or not). Asynchronous: our servers answer it. */
  function lsRemote(url: string, overlay: Record<string, string>, extra: Record<string, string> = {}): Promise<{ status: number | null; stderr: string }> {
    const child = spawn('git', ['ls-remote', '--', url], {
      env: { ...GIT_ENV, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'protocol.allow', GIT_CONFIG_VALUE_0: 'always', ...extra, ...overlay },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 20_000
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    return new Promise(resolve => child.on('close', status => resolve({ status, stderr })))
  }

  it('never runs an ext:: command, whatever the configuration allows', async () => {
    const marker = path.join(dir, 'pwned')
    const url = `ext::sh -c touch% ${marker}`
    const ours = await lsRemote(url, gitEnvironment(INSECURE, 5, { env: {} }))
    assert.notEqual(ours.status, 0)
    assert.match(ours.stderr, /transport 'ext' not allowed/)
    assert.equal(fs.existsSync(marker), false)
    // Without the overlay the same configuration runs it: the check above is what stops it.
    await lsRemote(url, {})
    assert.equal(fs.existsSync(marker), true)
  })

  it('refuses plain http unless the rule allows it', async () => {
    const server = await serve((_req, res) => res.writeHead(404).end())
    const url = `${server.url}/nova-dpm.git`
    try {
      const refused = await lsRemote(url, gitEnvironment(STRICT, 5, { env: {} }))
      assert.match(refused.stderr, /transport 'http' not allowed/)
      assert.equal(server.hits.length, 0)
      await lsRemote(url, gitEnvironment(STRICT, 5, { env: {}, repositories: [url] }))
      assert.ok(server.hits.length > 0, 'a checked loopback http repository is reachable')
    } finally {
      await server.close()
    }
  })

  it('keeps an https repository from redirecting git to plain http', async () => {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1', '-subj', '/CN=127.0.0.1']
        .concat(['-addext', 'subjectAltName=IP:127.0.0.1']),
      { cwd: dir, stdio: 'ignore' }
    )
    const plain = await serve((_req, res) => res.writeHead(404).end())
    const tls = await listen(
      https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) }, (req, res) => {
        res.writeHead(302, { location: `${plain.url}${req.url}` }).end()
      })
    )
    const url = `${tls.url}/nova-dpm.git`
    const ca = { GIT_SSL_CAINFO: path.join(dir, 'cert.pem') }
    const savedCa = process.env.GIT_SSL_CAINFO
    try {
      const refused = await lsRemote(url, gitEnvironment(STRICT, 5, { env: {}, repositories: [url] }), ca)
      assert.match(refused.stderr, /Protocol "?http"? not supported or disabled/)
      assert.equal(plain.hits.length, 0)
      // Through resolveGitRef, which explains the refusal.
      process.env.GIT_SSL_CAINFO = ca.GIT_SSL_CAINFO
      await rejects(
        resolveGitRef(url, ['refs/heads/master'], 'master', network(5), STRICT),
        /^Could not read the git repository .* git may use only https, ssh and file .* Check the 'repository' input\.$/
      )
      assert.equal(plain.hits.length, 0)
      // With http allowed the redirect is followed: the refusal above came from the allow-list.
      await lsRemote(url, gitEnvironment(INSECURE, 5, { env: {} }), ca)
      assert.ok(plain.hits.length > 0)
      // Without the authority, git's refusal is named as one of trust, with the setting that cures it.
      delete process.env.GIT_SSL_CAINFO
      const tried = plain.hits.length
      await rejects(
        resolveGitRef(url, ['refs/heads/master'], 'master', network(5, 3), STRICT),
        /^Could not read the git repository .*: git does not trust its server's certificate \(.*(SSL certificate problem: self[- ]signed certificate|server certificate verification failed).*\)\. /,
        /point the job's environment at it: GIT_SSL_CAINFO for git, NODE_EXTRA_CA_CERTS for the action's own downloads, /
      )
      assert.equal(plain.hits.length, tried)
    } finally {
      if (savedCa === undefined) delete process.env.GIT_SSL_CAINFO
      else process.env.GIT_SSL_CAINFO = savedCa
      await tls.close()
      await plain.close()
    }
  })
})
