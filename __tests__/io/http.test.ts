import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as https from 'node:https'
import * as os from 'node:os'
import * as path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { ActionError } from '../../src/errors.js'
import { MAX_TEXT_FILE_BYTES } from '../../src/io/files.js'
import { fetchText, type FetchOptions } from '../../src/io/http.js'
import { listen, serve, type Listening, type Served } from '../fixtures/loopback.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const WHAT = 'The constraints file'

function options(overrides: Partial<FetchOptions['network']> = {}): FetchOptions {
  return {
    network: { retries: 0, timeoutSeconds: 5, retryMaxSeconds: 60, pipArgs: [], ...overrides },
    rule: { allowInsecure: false },
    what: WHAT,
    advice: "Check the 'release' input."
  }
}

async function rejects(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<string> {
  let message = ''
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ActionError, `an ActionError, not ${String(error)}`)
    for (const p of patterns) assert.match(error.message, p)
    message = error.message
    return true
  })
  return message
}

describe('fetchText', { timeout: 30_000 }, () => {
  let site: Served
  let other: Served
  let flakyHits = 0
  before(async () => {
    other = await serve((req, res) => res.end(`other saw ${req.headers.authorization ?? 'no credentials'}`))
    site = await serve((req, res) => {
      const route = new URL(req.url!, 'http://x').pathname
      const redirect = (status: number, location: string) => res.writeHead(status, { location }).end()
      if (route === '/series/queens') return redirect(302, 'tag/queens-eol')
      if (route === '/series/tag/queens-eol') return redirect(301, '/files/upper.txt?ref=queens-eol')
      if (route === '/files/upper.txt') return res.end('zhmcclient===0.18.0\nos-dpm===1.1.0\n')
      if (route === '/gzip') return res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('pbr===3.1.1\n'))
      if (route === '/auth') return redirect(302, '/auth/same-origin')
      if (route === '/auth/same-origin') return redirect(302, `${other.url}/elsewhere`)
      if (route === '/loop') return redirect(302, '/loop')
      if (route === '/to-file') return redirect(302, 'file:///etc/passwd')
      if (route === '/to-remote') return redirect(302, 'https://example.invalid/upper.txt')
      if (route === '/401') return res.writeHead(401).end()
      if (route === '/403') return res.writeHead(403).end()
      if (route === '/flaky') return flakyHits++ === 0 ? res.writeHead(503, { 'retry-after': '1' }).end() : res.end('ok\n')
      if (route === '/down') return res.writeHead(500).end()
      if (route === '/huge-declared') return res.writeHead(200, { 'content-length': String(MAX_TEXT_FILE_BYTES + 1) }).end()
      if (route === '/huge-streamed') return streamForever(res)
      if (route === '/latin1') return res.end(Buffer.from('caf\xe9\n', 'latin1'))
      res.writeHead(404).end()
    })
  })
  after(async () => {
    await site.close()
    await other.close()
  })

  it('follows redirects, relative ones too, and reports where it ended without credentials', async () => {
    const got = await fetchText(`${site.url.replace('//', '//user:pw@')}/series/queens`, options())
    assert.equal(got.text, 'zhmcclient===0.18.0\nos-dpm===1.1.0\n')
    assert.equal(got.finalUrl, `${site.url}/files/upper.txt?ref=queens-eol`)
  })

  it('reads a compressed body', async () => {
    assert.equal((await fetchText(`${site.url}/gzip`, options())).text, 'pbr===3.1.1\n')
  })

  it('sends URL credentials as Basic auth, never in the request line, and never to another origin', async () => {
    const before = site.hits.length
    const got = await fetchText(`${site.url.replace('//', '//deploy:p%40ss@')}/auth`, options())
    const seen = site.hits.slice(before)
    assert.deepEqual(
      seen.map(r => [r.url, r.headers.authorization]),
      [
        ['/auth', `Basic ${Buffer.from('deploy:p@ss').toString('base64')}`],
        ['/auth/same-origin', `Basic ${Buffer.from('deploy:p@ss').toString('base64')}`]
      ]
    )
    assert.equal(got.text, 'other saw no credentials')
  })

  it('gives up on a redirect loop after 10 hops', async () => {
    const before = site.hits.length
    await rejects(fetchText(`${site.url}/loop`, options()), /redirected more than 10 times/)
    assert.equal(site.hits.length - before, 11)
  })

  it('refuses a redirect to a file: URL or from this machine to another host', async () => {
    await rejects(fetchText(`${site.url}/to-file`, options()), /redirects to 'file:\/\/\/etc\/passwd'/, /never a file URL/)
    await rejects(fetchText(`${site.url}/to-remote`, options()), /may not send the action to another host/)
  })

  it('refuses plain http to another host before any request', async () => {
    await rejects(fetchText('http://example.invalid/upper.txt', options()), /plain http to example\.invalid/)
  })

  it("says what was not found where, with the caller's advice and without credentials", async () => {
    const message = await rejects(
      fetchText(`${site.url.replace('//', '//u:s3cr3t@')}/missing`, options()),
      /^The constraints file was not found \(HTTP 404\) at 'http:\/\/\*\*\*@127\.0\.0\.1:\d+\/missing'\. Check the 'release' input\.$/
    )
    assert.ok(!message.includes('s3cr3t'))
  })

  it('says credentials were missing or refused on 401 and 403', async () => {
    await rejects(fetchText(`${site.url}/401`, options()), /needs credentials, and they were missing or refused \(HTTP 401\)/)
    await rejects(fetchText(`${site.url}/403`, options()), /missing or refused \(HTTP 403\)/)
  })

  it('retries a 503, waiting as long as Retry-After asks', async () => {
    const started = Date.now()
    assert.equal((await fetchText(`${site.url}/flaky`, options({ retries: 2 }))).text, 'ok\n')
    assert.equal(flakyHits, 2)
    assert.ok(Date.now() - started >= 950, 'waited the second the server asked for')
  })

  it('gives up on a lasting 5xx after the retries, saying how often it tried', async () => {
    const before = site.hits.length
    await rejects(fetchText(`${site.url}/down`, options({ retries: 1 })), /could not be fetched from .*: HTTP 500 \(tried 2 times\)\. .*re-run the job later/)
    assert.equal(site.hits.length - before, 2)
  })

  it('retries a refused connection, then gives up', async () => {
    const gone = await serve(() => {})
    await gone.close()
    await rejects(fetchText(`${gone.url}/x`, options({ retries: 1 })), /network error: .*ECONNREFUSED.*\(tried 2 times\)/)
  })

  it('refuses a body over the limit, declared or streamed', async () => {
    await rejects(fetchText(`${site.url}/huge-declared`, options()), /is larger than 4 MiB/)
    await rejects(fetchText(`${site.url}/huge-streamed`, options()), /is larger than 4 MiB/)
  })

  it('refuses a body that is not UTF-8 text', async () => {
    await rejects(fetchText(`${site.url}/latin1`, options()), /is not text/)
  })
})

/** Writes 64 KiB chunks until the client goes away. */
function streamForever(res: http.ServerResponse): void {
  const chunk = Buffer.alloc(64 * 1024, 'a')
  const write = () => {
    while (!res.destroyed && res.write(chunk));
  }
  res.on('drain', write)
  write()
}

/**
 * Runs fetchText in a child process against a server of this process, so
 * that the test sees both how long the fetch took and whether anything
 * (a socket, a timer, an agent) kept the child alive after it returned.
 */
async function fetchInChild(
  url: string,
  timeoutSeconds: number,
  retries: number,
  env: NodeJS.ProcessEnv = process.env
): Promise<{ result: string; ms: number; exitLagMs: number }> {
  const script = `
    import { fetchText } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'src/io/http.ts')).href)}
    const started = Date.now()
    const network = { retries: ${retries}, timeoutSeconds: ${timeoutSeconds}, retryMaxSeconds: 60, pipArgs: [] }
    let result
    try {
      result = (await fetchText(${JSON.stringify(url)}, { network, rule: { allowInsecure: false }, what: 'The constraints file' })).text
    } catch (error) {
      result = error.message
    }
    console.log('RESULT ' + JSON.stringify({ result, ms: Date.now() - started }))
  `
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] })
  // A child that never exits fails the test instead of hanging it.
  const bound = setTimeout(() => child.kill('SIGKILL'), 20_000)
  let out = ''
  let reportedAt = 0
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
    if (!reportedAt && out.includes('RESULT ')) reportedAt = Date.now()
  })
  await new Promise(resolve => child.on('close', resolve))
  clearTimeout(bound)
  const line = out.split('\n').find(l => l.startsWith('RESULT '))
  assert.ok(line, `the child reported: ${out}`)
  return { ...JSON.parse(line.slice('RESULT '.length)), exitLagMs: Date.now() - reportedAt }
}

describe('fetchText bounds the whole request', { timeout: 60_000 }, () => {
  const trickles = new Set<NodeJS.Timeout>()
  let silent: Served
  let trickle: Served
  let headersOnly: Served
  let fine: Served
  before(async () => {
    silent = await serve(() => {})
    trickle = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      const timer = setInterval(() => res.write('a'), 1000)
      trickles.add(timer)
      req.on('close', () => clearInterval(timer))
    })
    headersOnly = await serve((_req, res) => res.writeHead(200, { 'content-length': '100' }).flushHeaders())
    fine = await serve((_req, res) => res.end('pbr===3.1.1\n'))
  })
  after(async () => {
    for (const t of trickles) clearInterval(t)
    await Promise.all([silent, trickle, headersOnly, fine].map(s => s.close()))
  })

  it('fails a host that accepts and never answers within timeout × attempts, and the process exits at once', async () => {
    const run = await fetchInChild(`${silent.url}/upper.txt`, 1, 1)
    assert.match(run.result, /could not be fetched from .*: no complete answer within 1 s \(tried 2 times\)/)
    assert.ok(run.ms >= 2000 && run.ms < 4500, `took ${run.ms} ms: two attempts of 1 s and a 0.5 s pause`)
    assert.ok(run.exitLagMs < 1500, `the process lingered ${run.exitLagMs} ms`)
    assert.equal(silent.hits.length, 2)
  })

  it('fails a host that trickles a byte a second, though it never goes quiet', async () => {
    const run = await fetchInChild(`${trickle.url}/upper.txt`, 2, 0)
    assert.match(run.result, /no complete answer within 2 s \(tried 1 time\)/)
    assert.ok(run.ms >= 2000 && run.ms < 3500, `took ${run.ms} ms`)
    assert.ok(run.exitLagMs < 1500, `the process lingered ${run.exitLagMs} ms`)
  })

  it('fails a host that sends headers and then no body', async () => {
    const run = await fetchInChild(`${headersOnly.url}/upper.txt`, 1, 0)
    assert.match(run.result, /no complete answer within 1 s/)
    assert.ok(run.exitLagMs < 1500, `the process lingered ${run.exitLagMs} ms`)
  })

  it('gives up at once on a body it cannot decode, and leaves no kept-alive connection holding the process', async () => {
    const kept = await serve((req, res) => {
      const encoding = req.url === '/zstd' ? 'zstd' : 'gzip'
      res.writeHead(200, { 'content-encoding': encoding, 'content-length': '7', connection: 'keep-alive', 'keep-alive': 'timeout=60' }).end('garbage')
    })
    try {
      const unknown = await fetchInChild(`${kept.url}/zstd`, 5, 3)
      assert.match(unknown.result, /^The constraints file at 'http:\/\/127\.0\.0\.1:\d+\/zstd' came with Content-Encoding zstd, which the action cannot read/)
      assert.ok(unknown.exitLagMs < 1500, `the process lingered ${unknown.exitLagMs} ms`)
      const broken = await fetchInChild(`${kept.url}/gzip`, 5, 3)
      assert.match(broken.result, /^The constraints file at '.*\/gzip' came with Content-Encoding gzip, but its body does not decode \(incorrect header check\)/)
      assert.doesNotMatch(broken.result, /host may be down|tried/)
      assert.ok(broken.exitLagMs < 1500, `the process lingered ${broken.exitLagMs} ms`)
      assert.deepEqual(
        kept.hits.map(r => r.url),
        ['/zstd', '/gzip'],
        'neither was retried'
      )
    } finally {
      await kept.close()
    }
  })

  it('leaves nothing open after a successful fetch either', async () => {
    const run = await fetchInChild(`${fine.url}/upper.txt`, 30, 0)
    assert.equal(run.result, 'pbr===3.1.1\n')
    assert.ok(run.exitLagMs < 1500, `the process lingered ${run.exitLagMs} ms`)
  })
})

describe('fetchText and a certificate it does not trust', { timeout: 60_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-'))
  const pem = (name: string) => path.join(dir, name)
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' })
  const servers: Listening[] = []
  const hits: string[] = []
  /** An https server with the given chain, on loopback. */
  async function serveTls(key: string, chain: string[]): Promise<string> {
    const server = https.createServer({ key: fs.readFileSync(pem(key)), cert: chain.map(c => fs.readFileSync(pem(c), 'utf8')).join('') }, (req, res) => {
      hits.push(req.url!)
      res.end('pbr===3.1.1\n')
    })
    const listening = await listen(server)
    servers.push(listening)
    return `${listening.url}/upper.txt`
  }
  let selfSigned: string
  let leafAlone: string
  let leafWithCa: string
  before(async () => {
    const host = ['-subj', '/CN=127.0.0.1']
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.pem', '-days', '1', ...host, '-addext', 'subjectAltName=IP:127.0.0.1')
    // A private authority and a server certificate it signed: a corporate proxy's or mirror's setup.
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Private CA')
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', ...host)
    fs.writeFileSync(pem('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n')
    openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '1', '-extfile', 'ext.cnf')
    selfSigned = await serveTls('self.key', ['self.pem'])
    leafAlone = await serveTls('leaf.key', ['leaf.pem'])
    leafWithCa = await serveTls('leaf.key', ['leaf.pem', 'ca.pem'])
  })
  after(async () => {
    for (const server of servers) await server.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('says the certificate is not trusted, once, and names the setting of each program that fetches', async () => {
    const env = { ...process.env }
    delete env.REQUESTS_CA_BUNDLE
    const cases: [string, string][] = [
      [selfSigned, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
      [leafAlone, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
      [leafWithCa, 'SELF_SIGNED_CERT_IN_CHAIN']
    ]
    for (const [url, code] of cases) {
      const before = hits.length
      const run = await fetchInChild(url, 5, 3, env)
      assert.match(run.result, new RegExp(`^The TLS certificate of 127\\.0\\.0\\.1:\\d+ is not trusted \\(${code}: `))
      assert.match(run.result, /NODE_EXTRA_CA_CERTS for the action's own downloads, PIP_CERT for pip \(REQUESTS_CA_BUNDLE, when set, overrides it\), GIT_SSL_CAINFO for git\.$/)
      assert.doesNotMatch(run.result, /tried|host may be down/)
      assert.equal(hits.length, before, 'no request got through')
      assert.ok(run.ms < 2000, `answered in ${run.ms} ms, without retries`)
    }
  })

  it('says REQUESTS_CA_BUNDLE is the one pip reads when it is set', async () => {
    const run = await fetchInChild(leafAlone, 5, 0, { ...process.env, REQUESTS_CA_BUNDLE: '/etc/corp/ca.pem' })
    assert.match(run.result, /REQUESTS_CA_BUNDLE for pip \(it is set, to '\/etc\/corp\/ca\.pem', and overrides PIP_CERT\)/)
  })

  it('fetches once NODE_EXTRA_CA_CERTS names the authority, as the message says', async () => {
    const run = await fetchInChild(leafWithCa, 5, 0, { ...process.env, NODE_EXTRA_CA_CERTS: pem('ca.pem') })
    assert.equal(run.result, 'pbr===3.1.1\n')
  })
})
