import * as path from 'node:path'
import type { Readable } from 'node:stream'
import { watchRequests } from '../io/requestWatch.js'
import { shown } from '../log/escape.js'
import { info, warning } from '../log/log.js'
import { extractArchive, extractRewritten, listArchive, MemberGate, readEntry, refusedMembers, type Compression, type Member, type MemberRules } from './archive.js'
import { downloadEntry, type FoundEntry } from './entry.js'
import type { CacheKeys } from './keys.js'
import { stalledReason, type CacheRestore } from './service.js'
import type { FileCount } from '../python/verify.js'
import type { TarMember } from './tarReader.js'
import { RewrittenTar } from './tarWriter.js'

export interface Extracted {
  kind: 'extracted'
  matchedKey: string
  /** What the members' content adds up to. */
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

/** The most an entry whose content is proved may unpack to: a venv of Nova's size is 110 MB; one past this bound is not restored. */
const PROVED_MAX_BYTES = 2 ** 30

/**
 * What a caller proves of an entry's members (names relative to the cached
 * directory, read by the action) while GNU tar extracts them into `into`:
 * why they may not run (none when they may), and what it counted of them.
 * Every file is read for its digest; only those whose content the proof
 * `reads` stay in memory, and `extracted` settles when tar is done, for a
 * proof that must read another from the tree.
 */
export interface Proof {
  /** Whether the proof reads this member's content, not only its digest. */
  reads(name: string): boolean
  /** Called once the reading accepted every member, while tar may still be extracting. */
  prove(members: TarMember[], extracted: Promise<void>): Promise<{ unproven: string[]; files: ReadonlyMap<string, FileCount> }>
}

/**
 * An entry of `dir` taken only as far as its member list allows, for every
 * kind of cache: the archive is downloaded by the action (never handed to the
 * toolkit's `tar -P`) and refused when a member breaks `rules` (see
 * refusedMembers); otherwise it is extracted into `into`, the members' common
 * prefix (`dir` relative to the workspace) stripped. Without `prove`, GNU
 * tar lists the downloaded file, and extracts it only once every member
 * passed. With `prove`, the action reads the entry itself (TarReader) as it
 * comes down, and GNU tar extracts meanwhile not the entry but the action's
 * rewriting of what it read (RewrittenTar), member by member as each passes
 * the rules so far (MemberGate; nothing after the first refused member);
 * then every member is checked against the rules and its content proved. What
 * GNU tar writes is exactly what was proved, in a directory nothing runs
 * from. `staging` holds the downloaded file of a pip entry meanwhile; the
 * caller removes it (and what was extracted, when refused). A service or
 * transfer failure throws.
 */
export async function fetchChecked(dir: string, keys: CacheKeys, into: string, staging: string, timeoutSeconds: number, rules: MemberRules, prove?: Proof): Promise<Checked> {
  const archive = path.join(staging, 'entry.tar.compressed')
  const prefix = workspaceRelative(dir)
  // With a proof, the entry is decompressed once, as it comes down: the action reads it, and GNU tar extracts what it read.
  const started: { reading?: Promise<TarMember[] | Error>; extracting?: Promise<void>; rewritten?: RewrittenTar } = {}
  const gate = new MemberGate(prefix, rules)
  const body = (proof: Proof) => (bytes: Readable, compression: Compression) => {
    const rewritten = new RewrittenTar(prefix, member => gate.admits(member))
    started.rewritten = rewritten
    const extracting = extractRewritten(rewritten.feed, into)
    // tar stopped: nothing more is written for it. Its failure is thrown once the reading is done, never unhandled.
    extracting.catch(() => undefined).finally(() => rewritten.close())
    started.extracting = extracting
    const inside = `${prefix}/`
    const keeps = (member: TarMember) => !member.name.startsWith(inside) || proof.reads(member.name.slice(inside.length))
    started.reading = readEntry(bytes, compression, PROVED_MAX_BYTES, rewritten, keeps)
    started.reading.catch(() => undefined)
  }
  let found: FoundEntry | undefined
  try {
    found = (await watchRequests(() => downloadEntry(dir, keys, prove ? body(prove) : archive), timeoutSeconds * 1000, stalledReason(timeoutSeconds))).value
  } catch (error) {
    // A download that stood still while the reading waited for tar was held back by tar, not by the service.
    const waited = started.rewritten?.waitedMs() ?? 0
    // What read the download ended with it; the transfer's failure is the cause, unless tar's was first.
    await Promise.allSettled([started.reading, started.extracting])
    if (waited >= timeoutSeconds * 1000) {
      throw new Error(
        `GNU tar took in nothing of the entry for ${Math.round(waited / 1000)} s, so its download stood still until it was stopped (input 'timeout'); ` +
          `the file system tar extracts to (${shown(into)}) may be stuck`
      )
    }
    throw error
  }
  if (!found) return { kind: 'none' }
  const matchedKey = found.matchedKey
  // The toolkit's own words, which users search their logs for.
  info(`Cache hit for${found.matchedKey === keys.identity ? '' : ' restore-key'}: ${found.matchedKey}`)
  const archiveBytes = found.bytes
  const refused = (what: string, problems: string[]): Checked => ({ kind: 'refused', matchedKey, what, problems })
  const { reading, extracting } = started
  if (!reading || !extracting || !prove) {
    const members = await listArchive(archive, found.compression, path.join(staging, 'members.txt'))
    const problems = refusedMembers(members, prefix, rules)
    if (problems.length > 0) return refused('holds members the action does not extract', problems)
    await extractArchive(archive, found.compression, into, prefix.split('/').length)
    return { kind: 'extracted', matchedKey, bytes: total(members), archiveBytes }
  }
  try {
    // A decompression that failed throws here: it, not tar's cut input, is the cause.
    const read = await reading
    if (read instanceof Error) return refused('cannot be read as GNU tar writes entries', [shown(read.message)])
    // The gate refuses exactly what the whole list does (see MemberGate): the list is gone through again only to word a refusal.
    if (gate.shut) return refused('holds members the action does not extract', refusedMembers(read, prefix, rules))
    const { unproven, files } = await prove.prove(below(read, prefix), extracting)
    if (unproven.length > 0) return refused('failed the check made before anything from it runs', unproven)
    await extracting
    return { kind: 'extracted', matchedKey, bytes: total(read), archiveBytes, proved: files }
  } finally {
    // tar is done writing before the caller moves the tree or removes it.
    await extracting.catch(() => undefined)
  }
}

function total(members: readonly Member[]): number {
  return members.reduce((sum, member) => sum + member.size, 0)
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
