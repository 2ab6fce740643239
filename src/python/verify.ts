import { createHash, getHashes } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import * as path from 'node:path'
import { shown } from '../log/escape.js'
import type { Interpreter } from './interpreter.js'
import { runProbe } from './probe.js'

export interface Expected {
  /** The distribution: `nova-dpm`. */
  name: string
  /** The module that must import: `nova_dpm`. */
  module: string
  /** Whether the installed version is the one asked for. */
  range?: (version: string) => boolean
  /** The range as the user reads it (`>=3.0.0,<4.0.0`), for the message when `range` says no. */
  wanted?: string
}

export interface Verified {
  /** Expected name (as given) -> installed version. */
  versions: Record<string, string>
  /** Human sentences; empty means the environment is good. */
  problems: string[]
  /** Module -> the file it was imported from. */
  imported: Record<string, string>
}

interface RecordFile {
  file: string
  /** What the entries are relative to: the dist-info's parent, or the egg-info directory itself. */
  base: string
  /** A wheel RECORD (path,hash,size); otherwise installed-files.txt (paths only). */
  hashed: boolean
}

interface Answer {
  versions: Record<string, string>
  problems: string[]
  members: { name: string; version: string; record: RecordFile | null }[]
  imports: { module: string; file?: string | null; error?: string }[]
}

/** File sentences per distribution before the rest is summed up. */
const MAX_FILE_PROBLEMS = 5

/**
 * Proves the environment is usable, in one interpreter start plus file checks
 * here: each expected distribution is installed, in its range, and imports;
 * every dependency in its closure is installed at a version that satisfies
 * what requires it; and every file pip recorded for the closure is on disk
 * as pip wrote it (size and sha256 from RECORD). Distributions outside the
 * closure are not judged: a system's broken package is not ours to fail on.
 */
export async function verifyEnvironment(python: Interpreter, expected: Expected[], options: { timeoutMs: number }): Promise<Verified> {
  const request = { names: expected.map(e => e.name), modules: [...new Set(expected.map(e => e.module))] }
  const answer = (await runProbe(python.facts.executable, 'verify', {
    label: python.facts.executable,
    timeoutMs: options.timeoutMs,
    argument: JSON.stringify(request)
  })) as Answer
  const problems: string[] = []
  for (const e of expected) {
    const version = answer.versions[e.name]
    if (version === undefined) problems.push(`${e.name} is not installed for ${shown(python.facts.executable)}`)
    else if (e.range && !e.range(version)) problems.push(`${e.name} ${version} is installed, outside the range asked for${e.wanted ? ` (${e.wanted})` : ''}`)
  }
  problems.push(...answer.problems)
  for (const member of answer.members) {
    if (member.record) problems.push(...(await checkFiles(`${member.name} ${member.version}`, member.record)))
  }
  const imported: Record<string, string> = {}
  for (const result of answer.imports) {
    if (result.error !== undefined) {
      const owner = expected.find(e => e.module === result.module)
      const installed = owner && answer.versions[owner.name] !== undefined ? `${owner.name} ${answer.versions[owner.name]} is installed but ` : ''
      problems.push(`${installed}'import ${result.module}' fails: ${shown(result.error)}`)
    } else if (result.file) {
      imported[result.module] = result.file
    }
  }
  return { versions: answer.versions, problems, imported }
}

/** Each recorded file exists, with its recorded size and hash. */
async function checkFiles(distribution: string, record: RecordFile): Promise<string[]> {
  let text: string
  try {
    text = await fsp.readFile(record.file, 'utf8')
  } catch (error) {
    return [`the file list of ${distribution} (${shown(record.file)}) cannot be read: ${(error as Error).message}`]
  }
  const entries = recordEntries(text, record.hashed).filter(entry => path.resolve(record.base, entry.path) !== record.file)
  const found = await mapLimit(entries, 32, entry => checkEntry(distribution, record, entry))
  const problems = found.filter((p): p is string => p !== undefined)
  if (problems.length <= MAX_FILE_PROBLEMS) return problems
  return [
    ...problems.slice(0, MAX_FILE_PROBLEMS),
    `${problems.length - MAX_FILE_PROBLEMS} more files of ${distribution} are missing or changed; reinstall it (or drop the cache that restored it)`
  ]
}

interface Entry {
  path: string
  hash?: string
  size?: number
}

async function checkEntry(distribution: string, record: RecordFile, entry: Entry): Promise<string | undefined> {
  // Byte code pip compiled is listed without a hash; Python remakes it when it is gone.
  if (!entry.hash && entry.path.endsWith('.pyc')) return undefined
  const file = path.resolve(record.base, entry.path)
  const shownPath = shown(record.hashed ? entry.path : path.relative(path.dirname(record.base), file))
  let size: number
  try {
    size = (await fsp.stat(file)).size
  } catch {
    return `${shownPath} of ${distribution} is missing`
  }
  if (entry.size !== undefined && size !== entry.size) return `${shownPath} of ${distribution} was changed after it was installed (${size} bytes, not ${entry.size})`
  if (!entry.hash) return undefined
  const [algorithm, digest] = splitOnce(entry.hash, '=')
  if (!digest || !getHashes().includes(algorithm)) return undefined
  const actual = createHash(algorithm).update(await fsp.readFile(file)).digest('base64url')
  return actual === digest.replace(/=+$/, '') ? undefined : `${shownPath} of ${distribution} was changed after it was installed (its ${algorithm} differs from the record)`
}

/** Rows of a wheel RECORD (CSV: path,hash,size) or the lines of installed-files.txt. */
export function recordEntries(text: string, hashed: boolean): Entry[] {
  const entries: Entry[] = []
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue
    if (!hashed) {
      entries.push({ path: line.trim() })
      continue
    }
    const [file, hash, size] = csvFields(line)
    if (!file) continue
    entries.push({ path: file, hash: hash || undefined, size: size && /^\d+$/.test(size) ? Number(size) : undefined })
  }
  return entries
}

/** One CSV line: fields separated by commas, a field in double quotes may hold commas and doubled quotes. */
function csvFields(line: string): string[] {
  const fields: string[] = []
  let at = 0
  while (at <= line.length) {
    if (line[at] === '"') {
      let value = ''
      at++
      while (at < line.length) {
        if (line[at] === '"' && line[at + 1] === '"') {
          value += '"'
          at += 2
        } else if (line[at] === '"') {
          at++
          break
        } else {
          value += line[at++]
        }
      }
      fields.push(value)
      at = line.indexOf(',', at) === -1 ? line.length + 1 : line.indexOf(',', at) + 1
    } else {
      const end = line.indexOf(',', at)
      fields.push(line.slice(at, end === -1 ? line.length : end))
      at = end === -1 ? line.length + 1 : end + 1
    }
  }
  return fields
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator)
  return at === -1 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)]
}

async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
