import { getHashes, hash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { shown } from '../log/escape.js'
import type { LoadCheck } from '../source/releases.js'
import { ANOTHER_FILE } from './pipFailure/brokenDistribution.js'
import type { FactsAnswer } from './interpreter.js'
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
  /** A driver: how its service loads it, checked when the service is installed beside it. */
  plugsInto?: { service: string; loads: readonly LoadCheck[] }
}

/** What became of a driver's load checks. */
export interface DriverLoad {
  /** The driver's distribution: `nova-dpm`. */
  driver: string
  service: string
  /** `checked`: every check ran (failures are problems); `no-service`: the service is not installed, nothing ran. */
  status: 'checked' | 'no-service' | 'no-driver'
  /** What each passing check proved, as a sentence. */
  proved: string[]
}

export interface Inspection {
  /** Expected name (as given) -> installed version. */
  versions: Record<string, string>
  /** Human sentences; empty means the distributions and their files are good. */
  problems: string[]
  /** Normalized name -> version of everything installed: what a failed pip run is compared with. */
  installed: Record<string, string>
  /** Members of the closure a constraints file would change (only when one was given). */
  unmet: string[]
  /** The expected distributions and everything they need: name -> version. */
  closure: Record<string, string>
  /** The closure's recorded files checked on disk, and how many of them against a hash. */
  files: FileCount
}

export interface FileCount {
  checked: number
  hashed: number
}

/** What a good verification proved, for the log and the summary. */
export interface Proof {
  closure: Record<string, string>
  files: FileCount
  /** The modules imported, as named. */
  modules: string[]
}

export interface Verified extends Inspection {
  /** Module -> the file it was imported from. */
  imported: Record<string, string>
  loads: DriverLoad[]
  /** The interpreter's facts, when asked for (`facts`). */
  facts?: FactsAnswer
}

export interface RecordFile {
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
  installed: Record<string, string>
  unmet?: string[]
}

interface ImportAnswer {
  facts?: FactsAnswer
  imports: { module: string; file?: string | null; error?: string }[]
  loads: {
    distribution: string
    service: string
    status: DriverLoad['status']
    checks: { check: LoadCheck; error?: string; module?: string; target?: string; path?: string }[]
  }[]
}

/**
 * Who wrote a distribution's files: pip in this very run (straight from the
 * wheel, so a file that differs from the wheel's RECORD was published so), or
 * someone before it (an earlier step, a restored cache: changed since).
 */
export type Writer = 'this-run' | 'earlier'

export interface InspectOptions {
  timeoutMs: number
  constraintsFile?: string
  /** When this run's pip started (ms since the epoch): a RECORD written since then was written by it. */
  pipStartedAt?: number
  /**
   * What the caller's own check of RECORDs' files just counted, by the
   * RECORD's path (a restored venv's tree check): those files are not read
   * again. A RECORD it does not name is checked on disk.
   */
  filesProved?: ReadonlyMap<string, FileCount>
  /** Learn the interpreter's facts in the imports' start (see checkImports). */
  facts?: boolean
}

/** File sentences per distribution before the rest is summed up. */
const MAX_FILE_PROBLEMS = 5

/**
 * What is installed, without importing anything: each expected distribution
 * is there and in its range; every dependency in its closure is installed at
 * a version that satisfies what requires it; and every file pip recorded for
 * the closure is on disk as pip wrote it (size and sha256 from RECORD).
 * Distributions outside the closure are not judged: a system's broken package
 * is not ours to fail on. With a constraints file, it also names the closure's
 * members that the file would have pip change.
 */
export async function inspectEnvironment(executable: string, expected: Expected[], options: InspectOptions): Promise<Inspection> {
  const request = { names: expected.map(e => e.name), constraints: options.constraintsFile }
  const answer = (await runProbe(executable, 'verify', { label: executable, timeoutMs: options.timeoutMs, argument: JSON.stringify(request) })) as Answer
  const problems: string[] = []
  for (const e of expected) {
    const version = answer.versions[e.name]
    if (version === undefined) problems.push(`${e.name} is not installed for ${shown(executable)}`)
    else if (e.range && !e.range(version)) problems.push(`${e.name} ${version} is installed, outside the range asked for${e.wanted ? ` (${e.wanted})` : ''}`)
  }
  problems.push(...answer.problems)
  const files: FileCount = { checked: 0, hashed: 0 }
  for (const member of answer.members) {
    if (!member.record) continue
    const checked: FileCount & { problems?: string[] } =
      options.filesProved?.get(member.record.file) ?? fileCheck(`${member.name} ${member.version}`, member.record, writerOf(member.record, options.pipStartedAt))
    problems.push(...(checked.problems ?? []))
    files.checked += checked.checked
    files.hashed += checked.hashed
  }
  const closure = Object.fromEntries(answer.members.map(m => [m.name, m.version]))
  return { versions: answer.versions, problems, installed: answer.installed, unmet: answer.unmet ?? [], closure, files }
}

/** The proof of an environment whose inspection and imports found nothing wrong. */
export function proofOf(inspection: Pick<Inspection, 'closure' | 'files'>, imported: Record<string, string>): Proof {
  return { closure: inspection.closure, files: inspection.files, modules: Object.keys(imported) }
}

/**
 * Each expected module imports, and each expected driver loads the way its
 * service loads it when the service is installed, in an interpreter start of
 * its own; with `facts`, that start also answers the interpreter's facts
 * (one start fewer for an interpreter the action has not met yet).
 */
export async function checkImports(
  executable: string,
  expected: Expected[],
  options: { timeoutMs: number; facts?: boolean }
): Promise<{ imported: Record<string, string>; failed: { module: string; error: string }[]; loads: DriverLoad[]; loadProblems: string[]; facts?: FactsAnswer }> {
  const drivers = expected.filter(e => e.plugsInto)
  const request = {
    facts: options.facts === true,
    modules: [...new Set(expected.map(e => e.module))],
    loads: drivers.map(e => ({ distribution: e.name, service: e.plugsInto!.service, checks: e.plugsInto!.loads }))
  }
  const answer = (await runProbe(executable, 'imports', { label: executable, timeoutMs: options.timeoutMs, argument: JSON.stringify(request) })) as ImportAnswer
  const imported: Record<string, string> = {}
  const failed: { module: string; error: string }[] = []
  for (const result of answer.imports) {
    if (result.error !== undefined) failed.push({ module: result.module, error: result.error })
    else if (result.file) imported[result.module] = result.file
  }
  const loads: DriverLoad[] = []
  const loadProblems: string[] = []
  for (const driver of answer.loads) {
    const proved: string[] = []
    for (const { check, error, module, target } of driver.checks) {
      if (error === undefined) proved.push(provedBy(check, target))
      else {
        const subject = module ? `'${shown(module)}' would not load` : `${loadName(check)} fails`
        loadProblems.push(`${driver.distribution} does not load the way ${driver.service} loads it (${loadName(check)}): ${subject}: ${shown(error)}`)
      }
    }
    loads.push({ driver: driver.distribution, service: driver.service, status: driver.status, proved })
  }
  return { imported, failed, loads, loadProblems, facts: answer.facts }
}

/** The check as the service spells what it loads. */
function loadName(check: LoadCheck): string {
  if (check.kind === 'class') return `${check.module}.${check.attribute}`
  if (check.kind === 'entry-point') return `${check.group}:${check.name}`
  return check.name
}

function provedBy(check: LoadCheck, target?: string): string {
  if (check.kind === 'class') return `${check.module}.${check.attribute} is a ${check.base.replace(':', '.')}`
  if (check.kind === 'entry-point') return `entry point ${check.group}:${check.name} loads ${target ?? ''}`.trim()
  return `script ${check.name} is installed`
}

/**
 * Proves the environment is usable: the inspection above and the imports, in
 * two interpreter starts that run at once (the imports are the slow part:
 * pbr's version lookup imports pkg_resources, which scans every distribution).
 */
export async function verifyEnvironment(executable: string, expected: Expected[], options: InspectOptions): Promise<Verified> {
  const [inspection, imports] = await Promise.all([inspectEnvironment(executable, expected, options), checkImports(executable, expected, options)])
  return {
    ...inspection,
    problems: [...inspection.problems, ...importProblems(expected, inspection.versions, imports.failed), ...imports.loadProblems],
    imported: imports.imported,
    loads: imports.loads,
    facts: imports.facts
  }
}

/** The sentences for modules that failed to import, naming the installed distribution that should provide each. */
function importProblems(expected: Expected[], versions: Record<string, string>, failed: { module: string; error: string }[]): string[] {
  return failed.map(({ module, error }) => {
    const owner = expected.find(e => e.module === module)
    const installed = owner && versions[owner.name] !== undefined ? `${owner.name} ${versions[owner.name]} is installed but ` : ''
    return `${installed}'import ${module}' fails: ${shown(error)}`
  })
}

/**
 * Each recorded file exists, with its recorded size and hash. Synchronous on
 * purpose: thousands of small files are checked faster in one loop than
 * through the thread pool (measured here: about 0.55 s against 0.1–0.25 s
 * for the 3,100 files of a 100-dependency closure), and nothing else needs
 * the event loop meanwhile; the imports run in a process of their own. Only
 * regular files are read, so a FIFO put in a module's place cannot stall the
 * check.
 */
export function checkFiles(distribution: string, record: RecordFile, writer: Writer = 'earlier'): string[] {
  return fileCheck(distribution, record, writer).problems
}

/**
 * checkFiles for files read from `files` rather than the disk (a venv entry
 * before it is extracted), with every path the list names, resolved, and
 * whether with a hash: the caller accounts for its files with it. The
 * counts are those checkFiles makes.
 */
export function checkListedFiles(distribution: string, record: RecordFile, files: Files): FileCount & { problems: string[]; listed: Map<string, boolean> } {
  return fileCheck(distribution, record, 'earlier', files)
}

/** checkFiles, with how many files it checked, and how many of them against a hash (counts that hold when nothing is wrong). */
function fileCheck(distribution: string, record: RecordFile, writer: Writer = 'earlier', files: Files = DISK): FileCount & { problems: string[]; listed: Map<string, boolean> } {
  const listed = new Map<string, boolean>([[record.file, false]])
  const stat = files.regularFile(record.file)
  const text = stat && stat !== 'other' ? files.read(record.file) : undefined
  if (text === undefined) return { problems: [`the file list of ${distribution} (${shown(record.file)}) cannot be read`], checked: 0, hashed: 0, listed }
  // One pass, each path resolved and each hash parsed once: a venv entry's proof goes through 16,000 of them.
  const base = path.resolve(record.base)
  const problems: string[] = []
  let checked = 0
  let hashed = 0
  for (const entry of recordEntries(text.toString('utf8'), record.hashed)) {
    const file = resolvedBelow(base, entry.path)
    if (file === record.file) continue
    const checksum = hashOf(entry)
    listed.set(file, entry.hash !== undefined)
    if (!skipped(entry)) checked++
    if (checksum) hashed++
    const problem = checkEntry(distribution, record, entry, file, checksum, writer, files)
    if (problem !== undefined) problems.push(problem)
  }
  const fresh = writer === 'this-run'
  const named =
    problems.length <= MAX_FILE_PROBLEMS
      ? problems
      : [
          ...problems.slice(0, MAX_FILE_PROBLEMS),
          fresh
            ? `${problems.length - MAX_FILE_PROBLEMS} more files of ${distribution} do not match its wheel's RECORD`
            : `${problems.length - MAX_FILE_PROBLEMS} more files of ${distribution} are missing or changed; reinstall it (or drop the cache that restored it)`
        ]
  // pip copies a RECORD's hashes and sizes from the wheel (every pip from 18 to 24): what it just installed differs from the RECORD only where the wheel does.
  if (fresh && problems.length > 0) {
    named.push(`${distribution} is broken as published: pip installed its files in this run as its wheel holds them, and they differ from the RECORD that same wheel declares. Report it to its publisher; meanwhile ${ANOTHER_FILE}`)
  }
  return { problems: named, checked, hashed, listed }
}

// Byte code pip compiled is listed without a hash; Python remakes it when it is gone.
function skipped(entry: Entry): boolean {
  return !entry.hash && entry.path.endsWith('.pyc')
}

/** 'this-run' when the RECORD was written since this run's pip started. */
function writerOf(record: RecordFile, pipStartedAt: number | undefined): Writer {
  if (pipStartedAt === undefined) return 'earlier'
  const written = fs.statSync(record.file, { throwIfNoEntry: false })?.mtimeMs
  return written !== undefined && written >= pipStartedAt ? 'this-run' : 'earlier'
}

interface Entry {
  path: string
  hash?: string
  size?: number
}

const HASHES = new Set(getHashes())

function checkEntry(distribution: string, record: RecordFile, entry: Entry, file: string, checksum: Checksum | undefined, writer: Writer, files: Files): string | undefined {
  if (skipped(entry)) return undefined
  const stat = files.regularFile(file)
  if (stat === undefined) return `${shownPath(record, entry, file)} of ${distribution} is missing${writer === 'this-run' ? ", though its wheel's RECORD lists it" : ''}`
  if (stat === 'other') return `${shownPath(record, entry, file)} of ${distribution} is not a regular file`
  if (entry.size !== undefined && stat.size !== entry.size) return `${shownPath(record, entry, file)} of ${distribution} ${differs(writer)} (${stat.size} bytes, not ${entry.size})`
  if (!checksum) return undefined
  const { algorithm, digest } = checksum
  let actual = files.digest?.(file, algorithm)
  if (actual === undefined) {
    const content = files.read(file)
    if (content === undefined) return `${shownPath(record, entry, file)} of ${distribution} cannot be read`
    actual = hash(algorithm, content, 'base64url')
  }
  return actual === digest.replace(/=+$/, '') ? undefined : `${shownPath(record, entry, file)} of ${distribution} ${differs(writer)} (its ${algorithm} differs from the record)`
}

// Worded only for a file that fails, as plain functions: a venv entry's proof passes through 16,000 that do not.
function shownPath(record: RecordFile, entry: Entry, file: string): string {
  return shown(record.hashed ? entry.path : path.relative(path.dirname(record.base), file))
}

function differs(writer: Writer): string {
  return writer === 'this-run' ? "does not match its wheel's RECORD" : 'was changed after it was installed'
}

interface Checksum {
  algorithm: string
  digest: string
}

/**
 * `relative` resolved against `base` (absolute and normalized): joined as it
 * is when it has no part to normalize, which is nearly every RECORD line, and
 * path.resolve's thousands of calls are the cost of a venv entry's proof.
 */
function resolvedBelow(base: string, relative: string): string {
  return /^\/|\/\/|(^|\/)\.\.?(\/|$)|\/$/.test(relative) || relative === '' || base === '/' ? path.resolve(base, relative) : `${base}/${relative}`
}

/** The entry's algorithm and digest, when it has a hash that Node can compute. */
function hashOf(entry: Entry): Checksum | undefined {
  if (!entry.hash) return undefined
  const [algorithm, digest] = splitOnce(entry.hash, '=')
  return digest && HASHES.has(algorithm) ? { algorithm, digest } : undefined
}

/** Where the files a RECORD lists are read: the disk, or an archive before it is extracted (see unprovenTree). */
export interface Files {
  /** A regular file's size (on disk, symbolic links followed), 'other' for anything else, undefined when absent. */
  regularFile(file: string): { size: number } | 'other' | undefined
  read(file: string): Buffer | undefined
  /** The file's digest in `algorithm` (base64url, unpadded), when already known; otherwise it is computed from `read`. */
  digest?(file: string, algorithm: string): string | undefined
}

const DISK: Files = {
  regularFile(file) {
    const stat = fs.statSync(file, { throwIfNoEntry: false })
    if (!stat) return undefined
    return stat.isFile() ? stat : 'other'
  },
  read(file) {
    try {
      return fs.readFileSync(file)
    } catch {
      return undefined
    }
  }
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
