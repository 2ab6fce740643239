import { createHash } from 'node:crypto'
import { ActionError } from '../errors.js'
import { quotedLine } from '../log/excerpt.js'

const OPERATOR = '(?:===|==|~=|!=|<=|>=|<|>)'
// name [extras] [op version, ...] [; marker]: the shape of every line in
// openstack/requirements' upper-constraints.txt (`six===1.10.0;python_version=='2.7'`).
const LINE = new RegExp(
  `^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\\s*(?:\\[[^\\]]*\\])?\\s*` +
    `(?:${OPERATOR}\\s*[^\\s,;]+(?:\\s*,\\s*${OPERATOR}\\s*[^\\s,;]+)*)?\\s*(?:;.*)?$`
)

/** PEP 503 name normalization: `Nova_DPM` and `nova-dpm` are one project. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-')
}

function withoutComment(line: string): string {
  return line.replace(/(^|\s)#.*$/, '').trim()
}

/**
 * Checks that text is a constraints file, so that a wrong URL (an HTML page,
 * a typo'd path) fails here instead of deep inside pip. The error names line
 * numbers and the shape of the first bad line only (quotedLine): the file may
 * be anything, a dotenv file or /proc/self/environ, and its content is not
 * ours to print.
 */
export function validateConstraints(text: string, source: string): void {
  if (/^\s*<(!doctype|html)/i.test(text)) {
    throw new ActionError(`The constraints at ${source} are an HTML page, not a constraints file. Point 'constraints' at the raw upper-constraints.txt.`)
  }
  const bad: number[] = []
  let firstBad = ''
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = withoutComment(raw)
    if (line && !LINE.test(line)) {
      if (bad.length === 0) firstBad = line
      bad.push(i + 1)
    }
  })
  if (bad.length > 0) {
    const lines = bad.slice(0, 10).join(', ') + (bad.length > 10 ? ` and ${bad.length - 10} more` : '')
    throw new ActionError(
      `The constraints at ${source} have ${bad.length} line(s) that are not 'name===version' constraints (line ${lines}; line ${bad[0]}: ${quotedLine(firstBad)}). Point 'constraints' at an upper-constraints.txt.`
    )
  }
}

/**
 * Drops the lines that constrain the named projects. pip refuses a pinned
 * name that is also given as a URL or a path, so OpenStack's tooling
 * (edit-constraints) does the same before installing a project from git or
 * from a checkout.
 */
export function dropProjects(text: string, names: readonly string[]): { text: string; removed: string[] } {
  const wanted = new Set(names.map(normalizeName))
  const removed: string[] = []
  const kept = text.split(/\r?\n/).filter(raw => {
    const name = LINE.exec(withoutComment(raw))?.[1]
    if (name !== undefined && wanted.has(normalizeName(name))) {
      removed.push(raw.trim())
      return false
    }
    return true
  })
  return { text: kept.join('\n'), removed }
}

/** The constraints lines that pin a project (all of them: one per marker). */
export function pinsOf(text: string, name: string): string[] {
  const wanted = normalizeName(name)
  return text
    .split(/\r?\n/)
    .filter(raw => {
      const found = LINE.exec(withoutComment(raw))?.[1]
      return found !== undefined && normalizeName(found) === wanted
    })
    .map(l => l.trim())
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
