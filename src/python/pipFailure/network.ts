import { type PipFailure, quote } from './failure.js'
import { FETCH_FAILED } from './log.js'
import { EOF_ERROR, HTTP_ERROR, OSERROR, PROMPT, RETRYING, UNTRUSTED_HOST, causeNames, conflictCauses, indexOf, lastNotFound } from './output.js'
import { type PipText, normalized } from './text.js'

interface NetworkProblem {
  kind: 'index-unreachable' | 'index-http-error' | 'authentication'
  status?: number
  /** Why, in a few words: "connection refused", "HTTP 503". */
  why: string
  url?: string
  said: string
  /** pip skipped the index without asking it (plain http to a host not marked trusted). */
  untrusted?: boolean
  /** The index's TLS certificate chain ends in a CA pip does not trust. */
  untrustedCertificate?: boolean
}

/** The package index failed: it refused, did not answer, or answered with an error. */
export function network(text: PipText): PipFailure | undefined {
  const problem = networkProblem(text)
  return problem && networkFailure(problem, text)
}

function networkProblem(text: PipText): NetworkProblem | undefined {
  const oserror = text.last(OSERROR)
  if (oserror) {
    const problem = fromReason(oserror[1], oserror[0])
    if (problem) return problem
  }
  const prompt = text.first(PROMPT)
  if (prompt && text.has(EOF_ERROR)) {
    return { kind: 'authentication', status: 401, why: 'HTTP 401', url: indexOf(text), said: prompt[0] }
  }
  const http = text.last(HTTP_ERROR)
  if (http) return fromStatus(Number(http[1]), http[2], http[0])
  // A project page pip could not get ends as "no matching distribution" with no versions, or, with constraints, as a conflict.
  const missing = lastNotFound(text)
  const involved = causeNames(conflictCauses(text))
  if (missing && missing.versions.length === 0) involved.add(normalized(missing.name))
  if (involved.size === 0) return undefined
  const page = (url: string) => [...involved].some(name => isProjectPage(url, name))
  const untrusted = text.first(UNTRUSTED_HOST)
  if (untrusted) return { kind: 'index-unreachable', why: 'plain http to a host not marked trusted', url: indexOf(text), said: untrusted[0], untrusted: true }
  const fetched = text.every(FETCH_FAILED).filter(m => page(m[1]))
  for (const m of fetched.reverse()) {
    const problem = fromReason(m[2], m[0], m[1])
    if (problem && problem.status !== 404) return problem
  }
  const retried = text.every(RETRYING).filter(m => page(m[2]))
  const last = retried.at(-1)
  if (last) return fromReason(last[1], last[0], resolveAgainst(last[2], indexOf(text)))
  return undefined
}

/** Whether a URL (or path) is the index page of that project: `…/simple/nova-dpm/`. */
export function isProjectPage(url: string, name: string): boolean {
  return normalized(url.replace(/\/+$/, '').split('/').pop() ?? '') === normalized(name)
}

/** A urllib3/requests reason, as pip logs it. */
function fromReason(reason: string, said: string, url?: string): NetworkProblem | undefined {
  const status = /^(\d{3}) (?:Client|Server) Error\b/.exec(reason) ?? /too many (\d{3}) error responses/.exec(reason)
  const where = url ?? poolUrl(reason)
  if (status) return fromStatus(Number(status[1]), where, said)
  const why = unreachableWhy(reason)
  return why ? { kind: 'index-unreachable', why, url: where, said, untrustedCertificate: why === UNTRUSTED_CERTIFICATE } : undefined
}

function fromStatus(status: number, url: string | undefined, said: string): NetworkProblem {
  const kind = status === 401 || status === 403 ? 'authentication' : 'index-http-error'
  return { kind, status, why: `HTTP ${status}`, url: url?.split('#')[0], said }
}

const UNTRUSTED_CERTIFICATE = 'its TLS certificate is not signed by a CA pip trusts'

function unreachableWhy(reason: string): string | undefined {
  const unresolved = /Name or service not known|nodename nor servname|Temporary failure in name resolution|NameResolutionError|getaddrinfo failed|No address/i
  if (unresolved.test(reason)) return 'its host name does not resolve'
  if (/Connection refused/i.test(reason)) return 'the connection was refused'
  if (/certificate verify failed: (?:hostname|IP address) mismatch|doesn't match/i.test(reason)) return 'its TLS certificate is for another host name'
  if (/CERTIFICATE_VERIFY_FAILED|certificate verify failed/i.test(reason)) return UNTRUSTED_CERTIFICATE
  if (/SSLError|confirming the ssl certificate/i.test(reason)) return 'the TLS handshake failed'
  if (/ProxyError|Cannot connect to proxy/i.test(reason)) return 'the proxy failed'
  if (/timed out|Timeout/i.test(reason)) return 'it did not answer in time'
  if (/Connection reset|RemoteDisconnected|Connection aborted|Broken pipe|IncompleteRead|ProtocolError/i.test(reason)) return 'the connection broke off'
  if (/NewConnectionError|Failed to establish a new connection|connection error|Max retries exceeded/i.test(reason)) return 'no connection could be made'
  return undefined
}

/** `HTTPConnectionPool(host='h', port=80): Max retries exceeded with url: /p` → `http://h:80/p`. */
function poolUrl(reason: string): string | undefined {
  const m = /(HTTPS?)ConnectionPool\(host='([^']+)', port=(\d+)\): Max retries exceeded with url: (\S+)/.exec(reason)
  return m ? `${m[1].toLowerCase()}://${m[2]}:${m[3]}${m[4]}` : undefined
}

function resolveAgainst(path: string, index: string | undefined): string {
  const base = index?.split(',')[0].trim()
  if (!base || !URL.canParse(base)) return path
  return new URL(path, base).href
}

/** The part of a urllib3 reason that says what happened, without pip's wrapping and object addresses. */
function networkDetail(said: string): string {
  const plain = said.replace(/^(?:ERROR|WARNING): /, '').replace(/<[\w.]+ object at 0x[0-9a-f]+>:\s*/g, '')
  const detail = [
    /Failed to establish a new connection: [^'"]+/,
    /Read timed out\.?(?: \(read timeout=[\d.]+\))?/,
    /\d{3} (?:Client|Server) Error: [^:]+ for url: \S+/,
    /too many \d{3} error responses/,
    /Cannot connect to proxy[^'"]*|\[SSL[^\]]*\][^'"]*|certificate verify failed[^'"]*/
  ]
    .map(re => re.exec(plain)?.[0])
    .find(Boolean)
  return detail ?? plain
}

function networkFailure(problem: NetworkProblem, text: PipText): PipFailure {
  const url = problem.url ?? indexOf(text) ?? 'the package index'
  const at = quote(url)
  const said = quote(networkDetail(problem.said))
  switch (problem.kind) {
    case 'authentication':
      return {
        kind: 'authentication',
        message:
          `The package index refused access to ${at} (${problem.why}${problem.status === 401 ? ': credentials required' : ': forbidden'}; pip: ${said}). ` +
          "Give pip credentials for it: put a user and token (from a secret) into 'index-url', or into the pip configuration this step sees, " +
          'and check that they grant read access; then re-run.'
      }
    case 'index-http-error':
      return {
        kind: 'index-http-error',
        message:
          `The package index answered ${problem.why} for ${at} (pip: ${said}). ` +
          (problem.status !== undefined && problem.status >= 500
            ? "The index is failing: re-run later, raise 'retries', or point 'index-url' at a working index."
            : "Check that the index serves this project and its files, or point 'index-url' at one that does.")
      }
    default:
      if (problem.untrustedCertificate) {
        // pip hands PIP_CERT to requests as the session's bundle, and requests lets REQUESTS_CA_BUNDLE (or CURL_CA_BUNDLE)
        // replace a session's bundle (requests/sessions.py, merge_environment_settings).
        return {
          kind: 'index-unreachable',
          message:
            `pip could not use the package index at ${at}: ${problem.why} (pip: ${said}). If the index's certificate comes from your own CA, ` +
            'give pip that CA: set PIP_CERT (or cert in the pip configuration this step sees) to a PEM bundle that includes it; ' +
            'REQUESTS_CA_BUNDLE, when set, overrides PIP_CERT, so set it to that bundle too or unset it.'
        }
      }
      if (problem.untrusted) {
        return {
          kind: 'index-unreachable',
          message:
            `pip did not use the package index ${at}: ${problem.why} (pip: ${said}). Use an https URL for the index, or, if you trust the ` +
            'network, name the host in the pip configuration as trusted-host.'
        }
      }
      return {
        kind: 'index-unreachable',
        message:
          `pip could not reach the package index at ${at}: ${problem.why} (pip: ${said}). Check 'index-url' (or the pip configuration this step ` +
          "sees) and that the index is reachable from the runner (proxy, firewall, DNS); 'timeout' and 'retries' bound how long pip tries."
      }
  }
}
