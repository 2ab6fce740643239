import { createHash } from 'node:crypto'
import { ActionError } from './errors.js'

const OPERATOR = '(?:===|==|~=|!=|<=|>=|<|>)'
// name [extras] [op version, ...] [; marker] — the shape of every line in
// openstack/requirements' upper-constraints.txt.
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
 * a typo'd path) fails here with its line numbers instead of deep inside pip.
 */
export function validateConstraints(text: string, source: string): void {
  if (/^\s*<(!doctype|html)/i.test(text)) {
    throw new ActionError(
      `The constraints at ${source} are an HTML page, not a constraints file. Point 'constraints' at the raw upper-constraints.txt.`
    )
  }
  const bad: string[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = withoutComment(raw)
    if (line && !LINE.test(line)) bad.push(`line ${i + 1}: '${line.slice(0, 80)}'`)
  })
  if (bad.length > 0) {
    const shown = bad.slice(0, 5).join('; ') + (bad.length > 5 ? `; and ${bad.length - 5} more` : '')
    throw new ActionError(
      `The constraints at ${source} have ${bad.length} line(s) that are not 'name===version' constraints: ${shown}.`
    )
  }
}

/**
 * Drops the lines that constrain `pkg` itself. pip refuses a pinned name that
 * is also given as a URL, so OpenStack's tooling (edit-constraints) does the
 * same before installing a project from git.
 */
export function dropPackage(text: string, pkg: string): { text: string; removed: string[] } {
  const wanted = normalizeName(pkg)
  const removed: string[] = []
  const kept = text.split(/\r?\n/).filter(raw => {
    const name = LINE.exec(withoutComment(raw))?.[1]
    if (name !== undefined && normalizeName(name) === wanted) {
      removed.push(raw.trim())
      return false
    }
    return true
  })
  return { text: kept.join('\n'), removed }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
