import { ActionError } from '../errors.js'
import { hasControlCharacters, shown } from '../log/escape.js'
import { redact } from '../log/secrets.js'

/**
 * One rule for every hop the action or its tools make: https always; plain
 * http only to this machine (test servers) or when the user accepts it with
 * 'allow-insecure: true'; nothing else over the network.
 */
export interface TransportRule {
  allowInsecure: boolean
}

/** localhost, 127.0.0.0/8 and ::1, as a URL parser writes them (`[::1]`) or bare. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase()
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true
  const octets = host.match(/^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/)
  return octets !== null && octets.slice(1).every(o => Number(o) <= 255)
}

/**
 * Whether an input is meant as a URL rather than a path: it starts with a
 * scheme. Two letters at least, so that a Windows drive (`C:\…`) is a path.
 * What looks like a URL goes through the URL checks, which refuse the
 * schemes that are not http(s) (`file:`, `data:`, …) instead of taking them
 * for odd file names.
 */
export function looksLikeUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]+:/i.test(value)
}

/**
 * Checks an http(s) URL input ('constraints', 'index-url') and returns it
 * parsed; hand `url.href` on, so that every program reads the value we checked.
 * Besides the scheme and the transport rule, it refuses the spellings that
 * parsers read differently (a backslash, two '@', missing or extra slashes):
 * `http://127.0.0.1\@evil.example/` is loopback to Node but evil.example to Python.
 */
export function checkHttpInput(input: string, value: string, rule: TransportRule): URL {
  const fail = (problem: string, fix: string) => new ActionError(`Input '${input}' ${problem}: ${quoted(value)}. ${fix}`)
  refuseCommon(input, value)
  if (!URL.canParse(value)) throw fail('is not a valid URL', 'Write it as https://host/path.')
  const url = new URL(value)
  if (!/^https?:$/.test(url.protocol)) {
    const local = url.protocol === 'file:' ? ' Name a local file by its plain path, where the input takes one.' : ''
    throw fail(`uses the scheme '${url.protocol.slice(0, -1)}'`, `Only https URLs are fetched (http to this machine, or with allow-insecure: true).${local}`)
  }
  refuseAmbiguous(input, value)
  if (!/^https?:\/\/[^/]/i.test(value)) throw fail('is not written as scheme://host/path', 'Write it as https://host/path.')
  const http = httpProblem(url, rule)
  if (http) throw fail(http, INSECURE_FIX)
  return url
}

/**
 * Checks a git repository input ('repository', git URLs of 'requirements').
 * git's own syntax gives an address the power to run programs: a remote
 * helper (`ext::sh -c …`, `fd::…`, `https::http://…` naming one), an ssh host
 * or user that starts with '-' (read by ssh as an option). git:// has no
 * authentication or encryption at all.
 */
export function checkRepositoryInput(input: string, value: string, rule: TransportRule): void {
  const fail = (problem: string, fix: string) => new ActionError(`Input '${input}' ${problem}: ${quoted(value)}. ${fix}`)
  refuseCommon(input, value)
  const helper = value.match(/^([a-z][a-z0-9+.-]*)::/i)
  if (helper) {
    throw fail(`uses git's remote-helper syntax '${helper[1]}::', which has git run a program the value names`, REPOSITORY_FIX)
  }
  const scheme = value.match(/^([a-z][a-z0-9+.-]*):\/\//i)?.[1].toLowerCase()
  if (scheme !== undefined) {
    if (scheme === 'git') throw fail('uses git://, which has neither authentication nor encryption: anyone on the path can change the code', REPOSITORY_FIX)
    if (!['https', 'http', 'ssh', 'file'].includes(scheme)) throw fail(`uses the scheme '${scheme}'`, REPOSITORY_FIX)
    if (!URL.canParse(value)) throw fail('is not a valid URL', REPOSITORY_FIX)
    if (scheme === 'file') return
    refuseAmbiguous(input, value)
    const authority = value.slice(scheme.length + 3).split('/')[0]
    refuseOptionLikeHost(input, value, authority)
    const http = httpProblem(new URL(value), rule)
    if (http) throw fail(http, INSECURE_FIX)
    return
  }
  // scp-like `[user@]host:path`: git reads a ':' before any '/' so (and a path otherwise).
  const colon = value.indexOf(':')
  const slash = value.indexOf('/')
  if (colon > 0 && (slash < 0 || colon < slash) && !/^[a-z]:[\\/]/i.test(value)) {
    const address = value.slice(0, colon)
    if (/\s/.test(address)) throw fail('has white space in its ssh address', REPOSITORY_FIX)
    refuseOptionLikeHost(input, value, address)
  }
}

const REPOSITORY_FIX = 'Use an https:// or ssh:// URL (user@host:path works too), a file:// URL, or a path.'
const INSECURE_FIX = "Use https, or set 'allow-insecure: true' if you trust that network."

/**
 * Checks one request before it is made: the first (`from` undefined) or a
 * redirect hop. Only http(s) is followed; https never falls back to http; a
 * server on this machine may not send us to another one; the http rule holds.
 */
export function checkHop(from: URL | undefined, to: URL, rule: TransportRule): void {
  const problem = hopProblem(from, to, rule)
  if (!problem) return
  const what = from ? `${quoted(from.href)} redirects to ${quoted(to.href)}` : `Refusing to fetch ${quoted(to.href)}`
  throw new ActionError(`${what}: ${problem}`)
}

function hopProblem(from: URL | undefined, to: URL, rule: TransportRule): string | undefined {
  if (!/^https?:$/.test(to.protocol)) {
    return `only http(s) is fetched, never a ${to.protocol.slice(0, -1)} URL. Set the input to the document's https URL.`
  }
  if (from?.protocol === 'https:' && to.protocol === 'http:') {
    return 'a downgrade from https to plain http, which anyone on the path could tamper with. Set the input to an https URL that does not redirect to http.'
  }
  if (from && isLoopback(from.hostname) && !isLoopback(to.hostname)) {
    return 'a server on this machine may not send the action to another host. Set the input to the final URL if that is intended.'
  }
  const http = httpProblem(to, rule)
  return http && `${http}. ${INSECURE_FIX}`
}

function httpProblem(url: URL, rule: TransportRule): string | undefined {
  if (url.protocol !== 'http:' || rule.allowInsecure || isLoopback(url.hostname)) return undefined
  return `uses plain http to ${shown(url.hostname)}, which anyone on the path can read and tamper with`
}

/** What no value may hold: a leading '-' (an option to git or pip), control characters (a forged log line, a header). */
function refuseCommon(input: string, value: string): void {
  if (value.startsWith('-')) {
    throw new ActionError(`Input '${input}' must not start with '-': ${quoted(value)} would be read as a command-line option. Remove the '-'.`)
  }
  if (hasControlCharacters(value)) {
    throw new ActionError(
      `Input '${input}' holds a control character (a line break, tab or NUL, raw or percent-encoded like %0A): ${quoted(value)}. Remove it.`
    )
  }
}

/** Spellings that URL parsers disagree on, so that what we check is what pip, git and curl reach. */
function refuseAmbiguous(input: string, value: string): void {
  const fail = (problem: string, fix: string) => new ActionError(`Input '${input}' ${problem}: ${quoted(value)}. ${fix}`)
  if (/\s/.test(value)) throw fail('holds white space', 'Percent-encode a space as %20.')
  if (value.includes('\\')) {
    throw fail('holds a backslash, which URL parsers read differently', "Write '/' between path parts; percent-encode a literal backslash as %5C.")
  }
  const authority = value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/?#]/)[0]
  if (authority.split('@').length > 2) {
    throw fail("has more than one '@' before its host, which URL parsers read differently", "Percent-encode an '@' in a user name or token as %40.")
  }
}

function refuseOptionLikeHost(input: string, value: string, authority: string): void {
  const at = authority.lastIndexOf('@')
  const user = at < 0 ? '' : authority.slice(0, at)
  const host = authority.slice(at + 1).replace(/^\[/, '')
  if (user.startsWith('-') || host.startsWith('-')) {
    throw new ActionError(
      `Input '${input}' names an ssh user or host that starts with '-', which ssh would read as an option: ${quoted(value)}. ${REPOSITORY_FIX}`
    )
  }
}

function quoted(value: string): string {
  return `'${shown(redact(value))}'`
}

/**
 * The environment overlay for EVERY git process, ours and those pip starts
 * for git requirements: merge it over the inherited environment.
 *
 * - GIT_ALLOW_PROTOCOL is git's strict allow-list: it overrides any
 *   `protocol.*.allow` configuration, so `ext` and `fd` (remote helpers that
 *   run programs) and `git://` are never used, and git hands the same list to
 *   curl as the protocols a redirect may go to (an https repository cannot
 *   redirect to http unless http is listed). http is listed only when the rule
 *   allows it anywhere or a repository given (already checked, hence loopback
 *   or allowed) uses it; git cannot restrict http to loopback hosts itself.
 * - No prompt may wait for a password: GIT_TERMINAL_PROMPT=0 for http, ssh's
 *   BatchMode for keys and unknown host keys.
 * - A stalled transfer fails: curl gives up below 1 KiB/s for the timeout;
 *   ssh gives up connecting after the timeout, and on a silent peer after
 *   three unanswered keep-alives a third of the timeout apart.
 *
 * A GIT_SSH_COMMAND of the user's (an identity file, say) is kept, with our
 * options added; a GIT_SSH program is kept as is, as it may not take options.
 */
export function gitEnvironment(
  rule: TransportRule,
  timeoutSeconds: number,
  options: { repositories?: readonly string[]; env?: NodeJS.ProcessEnv } = {}
): Record<string, string> {
  const env = options.env ?? process.env
  const http = rule.allowInsecure || (options.repositories ?? []).some(r => /^(git\+)?http:\/\//i.test(r))
  const seconds = Math.max(1, Math.round(timeoutSeconds))
  const sshOptions = `-o BatchMode=yes -o ConnectTimeout=${seconds} -o ServerAliveInterval=${Math.max(1, Math.ceil(seconds / 3))} -o ServerAliveCountMax=3`
  const overlay: Record<string, string> = {
    GIT_TERMINAL_PROMPT: '0',
    GIT_ALLOW_PROTOCOL: ['https', 'ssh', 'file', ...(http ? ['http'] : [])].join(':'),
    GIT_HTTP_LOW_SPEED_LIMIT: '1024',
    GIT_HTTP_LOW_SPEED_TIME: String(seconds)
  }
  if (env.GIT_SSH_COMMAND) overlay.GIT_SSH_COMMAND = `${env.GIT_SSH_COMMAND} ${sshOptions}`
  else if (!env.GIT_SSH) overlay.GIT_SSH_COMMAND = `ssh ${sshOptions}`
  return overlay
}
