import * as fs from 'node:fs'
import * as path from 'node:path'
import { readTextFile } from '../io/files.js'
import { fetchText } from '../io/http.js'
import type { NetworkSettings } from '../io/retry.js'
import { runTempDir } from '../io/tempDir.js'
import type { TransportRule } from '../io/transport.js'
import { shown } from '../log/escape.js'
import { info } from '../log/log.js'
import { redact } from '../log/secrets.js'
import type { ConstraintsSource } from '../source/plan.js'
import { dropProjects, sha256, validateConstraints } from './constraints.js'

export interface Constraints {
  /** Where they came from, for logs and outputs: a URL (credentials hidden) or a path. */
  source: string
  text: string
}

/** Fetches or reads the constraints once and checks that they are constraints. */
export async function readConstraints(source: ConstraintsSource, network: NetworkSettings, rule: TransportRule): Promise<Constraints | undefined> {
  if (source.kind === 'none') {
    info('Installing without constraints (constraints: none).')
    return undefined
  }
  const shownSource = shown(redact(source.kind === 'url' ? source.url : source.path))
  const text =
    source.kind === 'url'
      ? (await fetchText(source.url, { network, rule, what: 'The constraints file' })).text
      : readTextFile(source.path, `Input 'constraints' (${shownSource})`)
  validateConstraints(text, shownSource)
  return { source: shownSource, text }
}

export interface ConstraintsFile {
  /** The local copy handed to pip: pip never fetches a URL the action did not check. */
  file: string
  source: string
  /** Of the copy pip gets: what the cache key holds. */
  sha256: string
  text: string
  /** The constraints as fetched, as `sha256sum` and `wc -l` see them: what jobs are compared by. */
  fetched: { sha256: string; lines: number }
  /** The lines dropped for projects installed from source, as written. */
  dropped: string[]
}

/**
 * Writes the copy pip uses, without the pins of the projects installed from
 * git or a checkout, and says which pins it dropped.
 */
export function writeConstraints(constraints: Constraints, installedFromSource: readonly string[]): ConstraintsFile {
  const { text, removed } = dropProjects(constraints.text, installedFromSource)
  const fetched = { sha256: sha256(constraints.text), lines: lineCount(constraints.text) }
  info(`Constraints from ${constraints.source} (${fetched.lines} lines), sha256 ${fetched.sha256}`)
  for (const line of removed) info(`Dropped the pin '${shown(line)}' from the constraints: that project is installed from source, and pip refuses a pinned name given as a URL or path.`)
  const file = path.join(runTempDir(), 'upper-constraints.txt')
  fs.writeFileSync(file, text)
  return { file, source: constraints.source, sha256: sha256(text), text, fetched, dropped: removed }
}

/** Lines as `wc -l` counts them, plus a last line without its line break. */
function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') || text === '' ? 1 : 0)
}
