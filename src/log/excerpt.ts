import { shown } from './escape.js'
import { redact } from './secrets.js'

/** Longest excerpt of a line: enough to find the line, too short to carry a file's worth of anything. */
const MAX_EXCERPT = 60

// Where a value may start. An '=' of a version operator ('>=', '==', '~=', '===') is shape, not a
// value; nor is the ':' of a URL's 'scheme://'. Credentials in a URL's user info are redacted first.
const ASSIGNMENT = /(?<![<>!~=])=(?!=)/
const COLON = /:(?!\/\/)/
// A word naming a credential: what follows it is one (netrc's 'login u password p', 'Bearer t').
const CREDENTIAL_WORD = /[A-Za-z0-9_]*(?:passw(?:or)?d|token|secret|credential|api_?key|login|bearer)[A-Za-z0-9_]*/i
const ALNUM_RUN = /[A-Za-z0-9]{16,}/g
const NAME_ASSIGNMENT = /^(?:export\s+)?[A-Za-z_][\w.-]*\s*=/

/**
 * A line of a file that is not what it should be, as an error may quote it:
 * the line is quoted only up to the first thing that looks like a value (an
 * '=' or ':', a word naming a credential, a long random-looking word), so
 * that a netrc, a dotenv file or `/proc/self/environ` named by mistake shows
 * its shape and not its secrets. What is left is enough to find the line (its
 * number goes with it). When nothing is left, a neutral description stands
 * instead. URL credentials are redacted and control characters escaped.
 * Returns a noun phrase: `'nova-dpm>=1,<2 --hash'`, `'machine host…'`, or
 * `an unquoted NAME=value assignment`.
 */
export function quotedLine(line: string): string {
  const text = redact(line.trim())
  const stop = Math.min(text.length, ...[ASSIGNMENT, COLON, CREDENTIAL_WORD].map(re => re.exec(text)?.index ?? text.length), randomWordAt(text))
  const kept = text.slice(0, Math.min(stop, MAX_EXCERPT)).trimEnd()
  if (kept === '') return NAME_ASSIGNMENT.test(text) ? 'an unquoted NAME=value assignment' : 'an unquoted line that may hold a secret'
  return `'${shown(kept)}${kept.length < text.length ? '…' : ''}'`
}

/**
 * Where the first word that looks like a generated secret starts: 16 or more
 * letters and digits mixing digits with letters, or both cases outside
 * CamelCase words (tokens, keys, hashes). An ordinary long word that happens
 * to match costs the rest of the excerpt only; the line number stays.
 */
function randomWordAt(text: string): number {
  for (const m of text.matchAll(ALNUM_RUN)) {
    const word = m[0]
    const digitsAndLetters = /\d/.test(word) && /[A-Za-z]/.test(word)
    const mixedCase = /[a-z]/.test(word) && /[A-Z]/.test(word) && !/^(?:[A-Z]?[a-z]{2,})+$/.test(word)
    if (digitsAndLetters || mixedCase) return m.index
  }
  return text.length
}
