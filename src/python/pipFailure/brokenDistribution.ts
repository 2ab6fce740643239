import { shown } from '../../log/escape.js'
import { type PipFailure, quote } from './failure.js'
import { INCONSISTENT } from './output.js'
import { type PipText, fileProject } from './text.js'

/** A distribution file whose metadata contradict its name: what pip then found missing follows from it. */
export function brokenDistribution(text: PipText): PipFailure | undefined {
  const m = text.last(INCONSISTENT)
  if (!m) return undefined
  const [said, file, field, expected, found] = m
  const name = field === 'name' ? expected : (fileProject(file) ?? 'the project')
  return {
    kind: 'broken-distribution',
    message:
      `The file ${quote(file)} of ${quote(name)} is broken: its file name says ${field} ${shown(expected)}, ` +
      `but its metadata says ${field} ${shown(found)}, so pip set it aside (pip: ${quote(said)}). Whoever published it built or renamed ` +
      `it wrongly: ${ANOTHER_FILE}`
  }
}

/** What a user can do about a distribution file broken as published. */
export const ANOTHER_FILE = "ask for another version (inputs 'version' and 'requirements'), or use an index that serves a correct file (input 'index-url')."
