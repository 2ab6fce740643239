import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { ClientRequest, IncomingMessage } from 'node:http'

export interface Watched<T> {
  value: T
  /** Requests stood still for the idle limit and were cut. */
  stalled: boolean
  /** Every answer received meanwhile: path without the query (which may hold a signature) and status. */
  answers: { path: string; status: number }[]
}

const CHANNEL = 'http.client.request.start'

/**
 * Runs a library's network work that takes no deadline from us (the
 * toolkit's cache client bounds a download from Azure, but not one from any
 * other store, nor a request whose answer never starts). Every node http(s)
 * request started meanwhile is watched: when those in flight have moved no
 * byte, either way, for `idleMs`, they are destroyed, and so is each one the
 * library starts after that (its retries), so that it gives up at once and no
 * socket is left to keep the process alive. A slow transfer that moves is
 * never cut. The answers seen are returned for the caller to judge what the
 * library only reports vaguely.
 */
export async function watchRequests<T>(work: () => Promise<T>, idleMs: number, reason: string): Promise<Watched<T>> {
  const seen = new Set<ClientRequest>()
  const open = new Set<ClientRequest>()
  const answers: { path: string; status: number }[] = []
  let stalled = false
  const onStart = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request
    if (stalled) return void request.destroy(new Error(reason))
    seen.add(request)
    open.add(request)
    request.once('close', () => open.delete(request))
    request.once('response', (response: IncomingMessage) => answers.push({ path: request.path.split('?')[0], status: response.statusCode ?? 0 }))
  }
  // Bytes moved by every request so far: a sum that only grows, so any change is progress.
  const moved = () => [...seen].reduce((sum, r) => sum + (r.socket ? r.socket.bytesRead + r.socket.bytesWritten : 0), 0)
  let last = -1
  let idleSince = Date.now()
  const timer = setInterval(
    () => {
      const now = moved()
      if (open.size === 0 || now !== last) {
        last = now
        idleSince = Date.now()
      } else if (Date.now() - idleSince >= idleMs) {
        stalled = true
        for (const request of open) request.destroy(new Error(reason))
      }
    },
    Math.min(500, Math.max(50, idleMs / 4))
  )
  subscribe(CHANNEL, onStart)
  try {
    return { value: await work(), stalled, answers }
  } finally {
    clearInterval(timer)
    unsubscribe(CHANNEL, onStart)
  }
}
