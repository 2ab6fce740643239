/**
 * A cache service on 127.0.0.1 that speaks what @actions/cache 6 speaks to
 * GitHub's: the Twirp JSON API (CreateCacheEntry, FinalizeCacheEntryUpload,
 * GetCacheEntryDownloadURL, with protobuf field names as the client writes
 * them: size_bytes, restore_keys) and blob storage that takes the Azure SDK's
 * single-shot PUT and serves a plain GET. Entries are scoped by key and
 * version as the real service scopes them.
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

const PREFIX = '/twirp/github.actions.results.api.v1.CacheService/'

interface Entry {
  id: number
  key: string
  version: string
  data?: Buffer
  committed: boolean
}

export interface CacheService {
  /** The variables the runner sets for a job that may use the cache. */
  env: Record<string, string>
  /** Twirp methods called, in order. */
  calls: string[]
  committedKeys(): string[]
  /** When set, every Twirp call answers this HTTP status with a Twirp error. */
  failWith?: number
  close(): Promise<void>
}

export async function startCacheService(): Promise<CacheService> {
  const entries: Entry[] = []
  let nextId = 1
  const service: CacheService = {
    env: {},
    calls: [],
    committedKeys: () => entries.filter(e => e.committed).map(e => e.key),
    close: async () => {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  }
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const url = new URL(req.url ?? '/', base)
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(value))
    }
    const blob = url.pathname.match(/^\/blob\/account\/cache\/(\d+)$/)
    if (blob) {
      const entry = entries.find(e => e.id === Number(blob[1]))
      if (!entry) return json(404, {})
      if (req.method === 'PUT') {
        entry.data = body
        res.writeHead(201, {
          etag: `"${entry.id}"`,
          'last-modified': new Date().toUTCString(),
          'x-ms-request-id': String(entry.id),
          'x-ms-version': '2025-01-05',
          'x-ms-request-server-encrypted': 'true'
        })
        return res.end()
      }
      if (req.method === 'GET' && entry.committed && entry.data) {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': entry.data.length })
        return res.end(entry.data)
      }
      return json(404, {})
    }
    if (req.method !== 'POST' || !url.pathname.startsWith(PREFIX)) return json(404, { code: 'bad_route', msg: url.pathname })
    const method = url.pathname.slice(PREFIX.length)
    service.calls.push(method)
    if (req.headers.authorization !== 'Bearer test-runtime-token') return json(401, { code: 'unauthenticated', msg: 'bad token' })
    if (service.failWith) return json(service.failWith, { code: 'internal', msg: 'cache service broken on purpose' })
    const request = JSON.parse(body.toString() || '{}')
    if (method === 'CreateCacheEntry') {
      if (entries.some(e => e.key === request.key && e.version === request.version)) {
        return json(409, { code: 'already_exists', msg: 'cache entry with the same key, version, and scope already exists' })
      }
      const entry: Entry = { id: nextId++, key: request.key, version: request.version, committed: false }
      entries.push(entry)
      return json(200, { ok: true, signed_upload_url: `${base}/blob/account/cache/${entry.id}?sig=upload` })
    }
    if (method === 'FinalizeCacheEntryUpload') {
      const entry = entries.find(e => e.key === request.key && e.version === request.version && !e.committed)
      if (!entry?.data || entry.data.length !== Number(request.size_bytes)) {
        return json(200, { ok: false, message: 'no complete upload for this entry' })
      }
      entry.committed = true
      return json(200, { ok: true, entry_id: String(entry.id) })
    }
    if (method === 'GetCacheEntryDownloadURL') {
      const usable = entries.filter(e => e.committed && e.version === request.version).reverse()
      const match =
        usable.find(e => e.key === request.key) ??
        (request.restore_keys ?? []).map((prefix: string) => usable.find(e => e.key.startsWith(prefix))).find(Boolean)
      if (!match) return json(200, { ok: false })
      return json(200, { ok: true, signed_download_url: `${base}/blob/account/cache/${match.id}?sig=download`, matched_key: match.key })
    }
    json(404, { code: 'bad_route', msg: method })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  service.env = { ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RESULTS_URL: `${base}/`, ACTIONS_RUNTIME_TOKEN: 'test-runtime-token' }
  return service
}
