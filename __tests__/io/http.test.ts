import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { ActionError } from '../../src/errors.js'
import { MAX_TEXT_FILE_BYTES } from '../../src/io/files.js'
import { fetchText, type FetchOptions } from '../../src/io/http.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const WHAT = 'The constraints file'

interface Server {
  url: string
  hits: http.IncomingMessage[]
  close(): Promise<void>
}

/** A loopback server that records every request. */
async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Server> {
  const hits: http.IncomingMessage[] = []
  const server = http.createServer((req, res) => {
    hits.push(req)
    handler(req, res)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => {
      server.closeAllConnections()
      return new Promise(resolve => server.close(() => resolve()))
    }
  }
}

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
  let site: Server
  let other: Server
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
async function fetchInChild(url: string, timeoutSeconds: number, retries: number): Promise<{ result: string; ms: number; exitLagMs: number }> {
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
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  let reportedAt = 0
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
    if (!reportedAt && out.includes('RESULT ')) reportedAt = Date.now()
  })
  await new Promise(resolve => child.on('close', resolve))
  const line = out.split('\n').find(l => l.startsWith('RESULT '))
  assert.ok(line, `the child reported: ${out}`)
  return { ...JSON.parse(line.slice('RESULT '.length)), exitLagMs: Date.now() - reportedAt }
}

describe('fetchText bounds the whole request', { timeout: 60_000 }, () => {
  const trickles = new Set<NodeJS.Timeout>()
  let silent: Server
  let trickle: Server
  let headersOnly: Server
  let fine: Server
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

  it('leaves nothing open after a successful fetch either', async () => {
    const run = await fetchInChild(`${fine.url}/upper.txt`, 30, 0)
    assert.equal(run.result, 'pbr===3.1.1\n')
    assert.ok(run.exitLagMs < 1500, `the process lingered ${run.exitLagMs} ms`)
  })
})
