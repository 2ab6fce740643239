/**
 * The one escaping function for values the action prints. Inputs, paths,
 * URLs, server answers and file excerpts are data: a line break in one would
 * let it start a line of its own, which the runner reads as a workflow command
 * (`::set-output …`, `::warning …`). Control characters become visible escapes.
 */
export function shown(value: string): string {
  return value.replace(CONTROL, c => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/**
 * A name as `shown` prints it, with every character outside ASCII as
 * `\\uXXXX`: where a value is compared with a list of names, a look-alike
 * (Cyrillic 'о' for Latin 'o') must not print the same as the name it mimics.
 */
export function spelled(value: string): string {
  return shown(value).replace(NON_ASCII, codeOf)
}

/** The characters of a value outside ASCII, each as `\\uXXXX`, once each. */
export function nonAscii(value: string): string[] {
  return [...new Set(value.match(NON_ASCII) ?? [])].map(codeOf)
}

const NON_ASCII = /[\u0080-\u{10ffff}]/gu

function codeOf(c: string): string {
  const code = c.codePointAt(0)!
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`
}

// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g
const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/** Whether a value holds a control character, raw or percent-encoded (`%0A`). */
export function hasControlCharacters(value: string): boolean {
  CONTROL.lastIndex = 0
  return CONTROL.test(value) || /%(?:[01][0-9a-f]|7f)/i.test(value)
}
