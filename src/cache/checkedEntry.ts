import * as fs from 'node:fs'
import * as path from 'node:path'
import { watchRequests } from '../io/requestWatch.js'
import { shown } from '../log/escape.js'
import { info, warning } from '../log/log.js'
import { decompress, extractArchive, listArchive, refusedMembers, type MemberRules } from './archive.js'
import { downloadEntry } from './entry.js'
import type { CacheKeys } from './keys.js'
import { stalledReason, type CacheRestore } from './service.js'

export interface Extracted {
  kind: 'extracted'
  matchedKey: string
  /** What the members' content adds up to, from the listing. */
  bytes: number
  /** Size of the entry as downloaded. */
  archiveBytes: number
}

export type Checked =
  /** No entry for the keys. */
  | { kind: 'none' }
  /** An entry whose member list was refused: nothing of it was written. */
  | { kind: 'refused'; matchedKey: string; problems: string[] }
  | Extracted

/**
 * An entry of `dir` taken only as far as its member list allows, for every
 * kind of cache: the archive is downloaded by the action (never handed to the
 * toolkit's `tar -P`), decompressed once, listed by GNU tar, and refused
 * before a byte of it is written when a member breaks `rules` (see
 * refusedMembers); otherwise it is extracted into `into`, the members' common
 * prefix (`dir` relative to the workspace) stripped. `staging` holds the
 * archive meanwhile; the caller removes it. A service or transfer failure
 * throws.
 */
export async function fetchChecked(dir: string, keys: CacheKeys, into: string, staging: string, timeoutSeconds: number, rules: MemberRules): Promise<Checked> {
  const archive = path.join(staging, 'entry.tar.compressed')
  const { value: found } = await watchRequests(() => downloadEntry(dir, keys, archive), timeoutSeconds * 1000, stalledReason(timeoutSeconds))
  if (!found) return { kind: 'none' }
  // The toolkit's own words, which users search their logs for.
  info(`Cache hit for${found.matchedKey === keys.identity ? '' : ' restore-key'}: ${found.matchedKey}`)
  const archiveBytes = fs.statSync(archive).size
  const plain = path.join(staging, 'entry.tar')
  await decompress(archive, found.compression, plain)
  fs.rmSync(archive)
  const prefix = workspaceRelative(dir)
  const members = await listArchive(plain, path.join(staging, 'members.txt'))
  const problems = refusedMembers(members, prefix, rules)
  if (problems.length > 0) return { kind: 'refused', matchedKey: found.matchedKey, problems }
  await extractArchive(plain, into, prefix.split('/').length)
  return { kind: 'extracted', matchedKey: found.matchedKey, bytes: members.reduce((sum, m) => sum + m.size, 0), archiveBytes }
}

/** A restore that used an extracted entry, begun at `started`. */
export function restored({ matchedKey, bytes, archiveBytes }: Extracted, keys: CacheKeys, started: number): CacheRestore {
  return { matchedKey, exactHit: matchedKey.startsWith(keys.identity), ms: Date.now() - started, bytes, archiveBytes }
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
