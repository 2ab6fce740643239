import * as fs from 'node:fs'
import * as path from 'node:path'
import { PassThrough, type Readable } from 'node:stream'
import { watchRequests } from '../io/requestWatch.js'
import { shown } from '../log/escape.js'
import { info, warning } from '../log/log.js'
import { extractArchive, listArchive, readEntry, readingDiffers, refusedMembers, type Compression, type Member, type MemberRules } from './archive.js'
import { downloadEntry, type FoundEntry } from './entry.js'
import type { CacheKeys } from './keys.js'
import { stalledReason, type CacheRestore } from './service.js'
import type { FileCount } from '../python/verify.js'
import type { TarMember } from './tarReader.js'

export interface Extracted {
  kind: 'extracted'
  matchedKey: string
  /** What the members' content adds up to, from the listing. */
  bytes: number
  /** Size of the entry as downloaded. */
  archiveBytes: number
  /** What the proof, when there was one, counted of the files it checked. */
  proved?: ReadonlyMap<string, FileCount>
}

export type Checked =
  /** No entry for the keys. */
  | { kind: 'none' }
  /** An entry whose members were refused (from their list, or, with a proof, from their content): nothing of it may run. */
  | { kind: 'refused'; matchedKey: string; what: string; problems: string[] }
  | Extracted

/**
 * An entry whose content is proved is read into memory whole: a venv of
 * Nova's size is 110 MB; one past this bound is not restored.
 */
const PROVED_MAX_BYTES = 2 ** 30

/**
 * What a caller proves of an entry's members (names relative to the cached
 * directory, content read by the action) while GNU tar extracts them: why
 * they may not run (none when they may), and what it counted of them.
 */
export type Proof = (members: TarMember[]) => Promise<{ unproven: string[]; files: ReadonlyMap<string, FileCount> }>

/**
 * An entry of `dir` taken only as far as its member list allows, for every
 * kind of cache: the archive is downloaded by the action (never handed to the
 * toolkit's `tar -P`), listed by GNU tar, and refused before a byte of it is
 * written when a member breaks `rules` (see refusedMembers); otherwise it is
 * extracted into `into`, the members' common prefix (`dir` relative to the
 * workspace) stripped. With `prove`, the action also reads the archive
 * itself (TarReader, as zstd decompresses it, while tar lists it), refuses it
 * when that reading and GNU tar's part anywhere, and proves the members'
 * content; tar extracts them meanwhile, as soon as its own listing passed the
 * rules. What GNU tar writes is then exactly what was proved, and nothing of
 * it runs before. `staging` holds the archive meanwhile; the caller removes
 * it (and what was extracted, when refused). A service or transfer failure
 * throws.
 */
export async function fetchChecked(dir: string, keys: CacheKeys, into: string, staging: string, timeoutSeconds: number, rules: MemberRules, prove?: Proof): Promise<Checked> {
  const archive = path.join(staging, 'entry.tar.compressed')
  const indexFile = path.join(staging, 'members.txt')
  // With a proof, the entry is decompressed once, as it comes down: the action reads it, and GNU tar lists what it read.
  const started: { reading?: Promise<TarMember[] | Error>; listing?: Promise<Member[]> } = {}
  const body = (bytes: Readable, compression: Compression) => {
    const plain = new PassThrough()
    started.reading = readEntry(bytes, compression, PROVED_MAX_BYTES, plain)
    started.listing = listArchive({ plain }, indexFile)
    started.reading.catch(() => undefined)
    started.listing.catch(() => undefined)
  }
  let found: FoundEntry | undefined
  try {
    found = (await watchRequests(() => downloadEntry(dir, keys, archive, prove && body), timeoutSeconds * 1000, stalledReason(timeoutSeconds))).value
  } catch (error) {
    // What read the download ended with it; the transfer's failure is the cause.
    await Promise.allSettled([started.reading, started.listing])
    throw error
  }
  if (!found) return { kind: 'none' }
  const matchedKey = found.matchedKey
  // The toolkit's own words, which users search their logs for.
  info(`Cache hit for${found.matchedKey === keys.identity ? '' : ' restore-key'}: ${found.matchedKey}`)
  const archiveBytes = fs.statSync(archive).size
  const prefix = workspaceRelative(dir)
  const refused = (what: string, problems: string[]): Checked => ({ kind: 'refused', matchedKey, what, problems })
  const { reading } = started
  let members: Member[]
  try {
    // Without a proof, tar reads the downloaded file.
    members = await (started.listing ?? listArchive({ file: archive, compression: found.compression }, indexFile))
  } catch (error) {
    // A decompression that failed is the cause of the listing's failure, not tar's "unexpected EOF".
    await reading
    throw error
  } finally {
    // The reading ends before anything goes on, whatever the listing found.
    await reading?.catch(() => undefined)
  }
  const problems = refusedMembers(members, prefix, rules)
  if (problems.length > 0) return refused('holds members the action does not extract', problems)
  // tar reads the file itself, in its own process, while this one proves what it holds.
  const extracting = extractArchive(archive, found.compression, into, prefix.split('/').length)
  // Its failure is thrown below, once the proof is done; meanwhile it is not an unhandled rejection.
  extracting.catch(() => undefined)
  let proved: ReadonlyMap<string, FileCount> | undefined
  try {
    if (reading && prove) {
      const read = await reading
      const unreadable = (why: string) => refused('cannot be read as GNU tar writes entries', [why])
      if (read instanceof Error) return unreadable(shown(read.message))
      const differs = readingDiffers(members, read)
      if (differs) return unreadable(differs)
      // What tar writes meanwhile stays in `into`, which nothing runs from.
      const { unproven, files } = await prove(below(read, prefix))
      if (unproven.length > 0) return refused('failed the check made before anything from it runs', unproven)
      proved = files
    }
  } finally {
    // tar is done writing before the caller moves the tree or removes it.
    await extracting.catch(() => undefined)
  }
  await extracting
  return { kind: 'extracted', matchedKey, bytes: members.reduce((sum, m) => sum + m.size, 0), archiveBytes, proved }
}

/** Members below `prefix` (which refusedMembers found every name to be or lie below), renamed relative to it in place: thousands, not copied. */
function below(members: TarMember[], prefix: string): TarMember[] {
  const inside = members.filter(member => member.name !== prefix)
  for (const member of inside) member.name = member.name.slice(prefix.length + 1)
  return inside
}

/** A restore that used an extracted entry, begun at `started`. */
export function restored({ matchedKey, bytes, archiveBytes, proved }: Extracted, keys: CacheKeys, started: number): CacheRestore {
  return { matchedKey, exactHit: matchedKey.startsWith(keys.identity), ms: Date.now() - started, bytes, archiveBytes, proved }
}

/** A restore that used nothing; `failure`, when it failed, is a warning and never fails the job. */
export function missed(started: number, failure?: unknown): CacheRestore {
  if (failure !== undefined) warning(`Cache restore failed, installing without it: ${shown((failure as Error).message)}`)
  return { exactHit: false, ms: Date.now() - started, bytes: 0 }
}

/**
 * How the toolkit names `dir` in an archive it saves: relative to the
 * workspace, with '/' (and '.' for the workspace itself).
 */
export function workspaceRelative(dir: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.relative(env.GITHUB_WORKSPACE ?? process.cwd(), dir).split(path.sep).join('/') || '.'
}
