import * as core from '@actions/core'

/**
 * Credentials written into URL-like text, found by one scanner so that what
 * is masked and what is redacted never disagree. Two shapes carry them:
 *
 * - a URL's user info, `scheme://user:password@host`. Its end is the LAST '@'
 *   before the host ends, as the WHATWG parser and Python's urllib both read
 *   it (`https://a:b@c@host` has the password `b@c`). Node's parser also takes
 *   a backslash for a slash, and needs no slashes at all after a special
 *   scheme (`https:user:pw@host`), so neither may hide one from us. In free
 *   text white space ends a URL; a value that is one URL is read whole, as a
 *   parser reads it (`https://u:pa ss@host` has the password `pa ss`).
 * - scp-like git addresses with a password, `user:token@host:path`.
 */
interface Credentials {
  /** Lower-case scheme, '' when the text had none (`//user@host`, scp-like). */
  scheme: string
  /** As written: maybe percent-encoded, maybe not. */
  user: string
  password: string | undefined
  /** Where the part to hide starts and ends in the text. */
  start: number
  end: number
}

// Special schemes (RFC 3986 + WHATWG) may omit the slashes; any scheme may be followed by '//' authority.
const SCHEME = String.raw`(?:\b(https?|wss?|ftp):[/\\]*|(?:\b([a-z][a-z0-9+.-]*):)?[/\\]{2})`
const URL_AUTHORITY = new RegExp(String.raw`${SCHEME}([^\s/\\?#]*)@`, 'gi')
const WHOLE_URL_AUTHORITY = new RegExp(String.raw`^${SCHEME}([^/\\?#]*)@`, 'gi')
// `user:token@host:path`, standing on its own (not inside a URL: the URL form is found first and its '//' precedes).
const SCP_LIKE = /(?<![^\s'"=(<[,])([\w.+-]+):([^\s@/]+)@[\w.-]+:/g

function findCredentials(text: string): Credentials[] {
  const found: Credentials[] = []
  const whole = /^[a-z][a-z0-9+.-]*:[/\\]/i.test(text) && URL.canParse(text)
  const urls = [...(whole ? text.matchAll(WHOLE_URL_AUTHORITY) : []), ...text.matchAll(URL_AUTHORITY)]
  for (const m of urls) {
    const userinfo = m[3]
    if (!userinfo) continue
    const start = m.index + m[0].length - 1 - userinfo.length
    // The whole-value reading comes first and wins over a shorter one at the same place.
    if (found.some(c => start >= c.start && start < c.end)) continue
    const colon = userinfo.indexOf(':')
    found.push({
      scheme: (m[1] ?? m[2] ?? '').toLowerCase(),
      user: colon < 0 ? userinfo : userinfo.slice(0, colon),
      password: colon < 0 ? undefined : userinfo.slice(colon + 1),
      start,
      end: start + userinfo.length
    })
  }
  const inUrl = (i: number) => found.some(c => i >= c.start && i < c.end)
  for (const m of text.matchAll(SCP_LIKE)) {
    const start = m.index + m[1].length + 1
    if (!inUrl(m.index)) found.push({ scheme: '', user: m[1], password: m[2], start, end: start + m[2].length })
  }
  return found.sort((a, b) => a.start - b.start)
}

/**
 * The credentials written in a URL-like value (or in any text holding URLs),
 * in every spelling they may be printed in: as written, percent-decoded,
 * re-encoded as a URL parser or encodeURIComponent writes them, with upper-
 * and lower-case escapes, and as the HTTP Basic header value.
 *
 * A password always is a secret. A user name is one only over http(s) and
 * only when it stands alone (`https://TOKEN@host`), where a token takes its
 * place; beside a password it names an account (`x-access-token`, `oauth2`),
 * and over ssh it is `git`: masking those would blank every such word in the log.
 */
export function secretsIn(value: string): string[] {
  const secrets = new Set<string>()
  for (const c of findCredentials(value)) {
    const overHttp = isHttp(c.scheme)
    if (c.password) for (const s of spellings(c.password)) secrets.add(s)
    if (overHttp && !c.password && c.user) for (const s of spellings(c.user)) secrets.add(s)
    if (overHttp && (c.password || c.user)) secrets.add(Buffer.from(`${decoded(c.user)}:${decoded(c.password ?? '')}`).toString('base64'))
  }
  return [...secrets]
}

function isHttp(scheme: string): boolean {
  return /(^|\+)https?$/.test(scheme)
}

function spellings(raw: string): string[] {
  const plain = decoded(raw)
  const encoded = [raw, encodeURIComponent(plain), asUserinfo(raw), asUserinfo(plain)]
  const forms = [
    ...encoded.flatMap(e => [e, e.replace(/%[0-9a-f]{2}/gi, x => x.toUpperCase()), e.replace(/%[0-9a-f]{2}/gi, x => x.toLowerCase())]),
    // A decoded form with a line break in it would have the runner mask line breaks; its encoded forms suffice.
    ...(/[\u0000-\u001f\u007f]/.test(plain) ? [] : [plain]) // eslint-disable-line no-control-regex
  ]
  return [...new Set(forms)].filter(s => s.length > 0)
}

/** Percent-decoding that keeps what does not decode (a stray '%', bytes that are not UTF-8). */
function decoded(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw.replace(/(?:%[0-9a-f]{2})+/gi, run => {
      try {
        return decodeURIComponent(run)
      } catch {
        return run
      }
    })
  }
}

/** How a URL parser writes a user-info part (what `new URL(…).href` prints). */
function asUserinfo(value: string): string {
  const url = new URL('http://host')
  url.password = value
  return url.password
}

/** Asks the runner to mask every spelling of every credential in the values. */
export function maskSecrets(values: readonly (string | undefined)[]): void {
  const all = new Set(values.flatMap(v => (v ? secretsIn(v) : [])))
  for (const secret of all) core.setSecret(secret)
}

/**
 * Hides credentials in every URL-like part of a text (an input, an error
 * message, an excerpt of pip's or git's output): the user info of a URL
 * becomes `***`, as does the password of an scp-like address. A user name
 * alone stays where it cannot be a token (`ssh://git@host`).
 */
export function redact(text: string): string {
  let out = ''
  let at = 0
  for (const c of findCredentials(text)) {
    if (c.start < at || (c.password === undefined && c.scheme !== '' && !isHttp(c.scheme))) continue
    out += text.slice(at, c.start) + '***'
    at = c.end
  }
  return out + text.slice(at)
}
