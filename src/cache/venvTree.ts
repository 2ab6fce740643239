import * as fs from 'node:fs'
import * as path from 'node:path'
import { shown } from '../log/escape.js'
import { checkListedFiles, type FileCount, type Files, type RecordFile } from '../python/verify.js'
import { VENV_MARKER } from '../python/venv.js'
import type { TarMember } from './tarReader.js'

/** Paths named in a refusal, before the rest is counted. */
const SHOWN_PATHS = 5

/**
 * Why a venv entry may not run, read from the archive itself before any of
 * its interpreters starts (its members as TarReader read them, names relative
 * to the venv); empty when every member is accounted for:
 *
 * - a file listed by a RECORD (or installed-files.txt) in its site-packages,
 *   with the recorded size and hash;
 * - or exactly what the venv tool writes for the base interpreter at this
 *   path, compared with `reference`, a skeleton that tool just made from the
 *   base at another path (the key names that base): pyvenv.cfg, the activate
 *   scripts, the interpreter links and their targets, 2.7's site.py and its
 *   links into the base's library;
 * - or the action's marker.
 *
 * Anything else is named: a `.pth`, sitecustomize or usercustomize no RECORD
 * lists (Python runs them at every start), a link the venv tool did not make
 * (out of the venv, or a `bin/python` that is not the base), a replaced
 * interpreter, byte code no RECORD hashes (the action saves none: pip
 * records what it compiles without a hash, and Python would run it in place
 * of the sources the RECORDs prove).
 * Kinds other than files, directories and links, set-user-ID bits and names
 * outside the venv are refused before, from the same reading
 * (refusedMembers). `target` is where the venv was made (and will be): the
 * reference's own path is replaced by it before comparing. `files` counts
 * what it checked of each RECORD (by its path below `target`), as
 * verification counts files on disk. A content not kept (see proofReads) is
 * read from `extracted`, the tree tar made of the action's own rewriting,
 * once tar is done; without it, `needsTree` says the answer needs that tree.
 */
export function unprovenTree(
  members: readonly TarMember[],
  reference: string,
  target: string,
  extracted?: string
): { unproven: string[]; files: Map<string, FileCount>; needsTree: boolean } {
  const problems: string[] = []
  const files = new Map<string, FileCount>()
  const root = path.resolve(target)
  let needsTree = false
  const contentOf = (member: TarMember): Buffer | undefined => {
    if (member.content || member.type !== '-') return member.content
    if (extracted === undefined) {
      needsTree = true
      return undefined
    }
    try {
      return fs.readFileSync(path.join(extracted, member.name))
    } catch {
      return undefined
    }
  }
  // Keyed by the path each member will have: what a RECORD names resolves to these, with no per-file path arithmetic.
  // Each made once: a string is hashed once, and 16,000 of them are looked up again below.
  const paths = members.map(member => `${root}/${member.name}`)
  const byPath = new Map(members.map((member, i) => [paths[i], member]))
  const archived = archiveFiles(byPath, contentOf)
  /** Paths a RECORD lists -> whether with a hash (which checkListedFiles proves). */
  const claimed = new Map<string, boolean>()
  for (const record of records(members, root)) {
    const { problems: found, listed, checked, hashed } = checkListedFiles(path.basename(path.dirname(record.file)), record, archived)
    problems.push(...found)
    files.set(record.file, { checked, hashed })
    for (const [file, hashed] of listed) claimed.set(file, hashed)
  }
  const same = sameAsReference(reference, target, contentOf)
  for (let i = 0; i < members.length; i++) {
    const member = members[i]
    if (member.type === 'd') continue
    const why = memberProblem(member, claimed.get(paths[i]), () => same(member))
    if (why) problems.push(`${shown(member.name)} ${why}`)
  }
  // Without it the next run would take the restored venv for someone else's and refuse to replace it.
  if (byPath.get(`${root}/${VENV_MARKER}`)?.type !== '-') problems.push(`${VENV_MARKER} (the action's marker) is missing`)
  const unproven = problems.length <= SHOWN_PATHS ? problems : [...problems.slice(0, SHOWN_PATHS), `${problems.length - SHOWN_PATHS} more`]
  return { unproven, files, needsTree }
}

/** What a RECORD or an egg's file list is: the one file of a distribution's own directory whose content the proof reads. */
const FILE_LIST = /^lib\/[^/]+\/site-packages\/([^/]+)\/(RECORD|installed-files\.txt)$/

/**
 * Whether the proof reads a member's content rather than only its digest
 * (`name` relative to the venv): the file lists, and what lies outside the
 * distributions' own directories, which may be what the venv tool writes.
 * Nothing else is kept in memory; should a RECORD hash a file with another
 * algorithm than SHA-256, the proof reads it from the extracted tree.
 */
export function proofReads(name: string): boolean {
  return FILE_LIST.test(name) || !/^lib\/[^/]+\/site-packages\/[^/]+\//.test(name)
}

/** `claimed`: a RECORD lists the member, with a hash (true) or without (false). */
function memberProblem(member: TarMember, claimed: boolean | undefined, sameAsTool: () => boolean): string | undefined {
  if (member.type === 'l') return sameAsTool() ? undefined : `is a link to ${shown(member.target ?? '')}, which the venv tool did not make`
  // pip lists the byte code it compiles without a hash; only a wheel's own, hashed, is proved.
  if (/\.py[co]$/.test(member.name) && claimed !== true) return "is byte code no RECORD proves, which the action's venv entries never hold"
  if (claimed !== undefined || member.name === VENV_MARKER || sameAsTool()) return undefined
  const name = path.posix.basename(member.name)
  if (name.endsWith('.pth') || /^(site|user)customize(\.|$)/.test(name)) return 'is listed by no RECORD, and Python runs it at every start'
  if (/^bin\/python/.test(member.name)) return 'is not the interpreter the venv tool links to'
  return 'is listed by no RECORD and is not what the venv tool writes'
}

/** The archive's regular files as the RECORD check reads them, by the paths they will have. */
function archiveFiles(byPath: ReadonlyMap<string, TarMember>, contentOf: (member: TarMember) => Buffer | undefined): Files {
  return {
    regularFile: file => {
      const found = byPath.get(file)
      if (!found) return undefined
      return found.type === '-' ? found : 'other'
    },
    read: file => {
      const found = byPath.get(file)
      return found?.type === '-' ? contentOf(found) : undefined
    },
    digest: (file, algorithm) => (algorithm === 'sha256' ? byPath.get(file)?.sha256 : undefined)
  }
}

/** Whether a member no RECORD lists is what the venv tool made in the reference, its path swapped for the target's. */
function sameAsReference(reference: string, target: string, contentOf: (member: TarMember) => Buffer | undefined): (member: TarMember) => boolean {
  const swap = (text: string) => text.split(reference).join(target)
  return member => {
    const theirs = path.join(reference, member.name)
    const model = fs.lstatSync(theirs, { throwIfNoEntry: false })
    if (!model) return false
    if (member.type === 'l') return model.isSymbolicLink() && swap(fs.readlinkSync(theirs)) === member.target
    if (!model.isFile() || member.type !== '-') return false
    // latin1 keeps every byte: binaries (2.7's copied interpreter) compare as they are.
    const content = contentOf(member)
    if (content === undefined) return false
    let expected = swap(fs.readFileSync(theirs, 'latin1'))
    let actual = content.toString('latin1')
    if (member.name === 'pyvenv.cfg') {
      // The command line that made it (3.11+) is a note Python never reads; the reference was made without pip.
      const noted = (text: string) => text.replace(/^command = .*\n/m, '')
      expected = noted(expected)
      actual = noted(actual)
    }
    return expected === actual
  }
}

/** The file lists of every distribution in the venv's site-packages, at the paths they will have below `root`. */
function records(members: readonly TarMember[], root: string): RecordFile[] {
  const found: RecordFile[] = []
  for (const member of members) {
    const match = member.type === '-' && FILE_LIST.exec(member.name)
    if (!match) continue
    const [, dir, list] = match
    const file = `${root}/${member.name}`
    if (list === 'RECORD' && dir.endsWith('.dist-info')) found.push({ file, base: path.dirname(path.dirname(file)), hashed: true })
    else if (list === 'installed-files.txt' && dir.endsWith('.egg-info')) found.push({ file, base: path.dirname(file), hashed: false })
  }
  return found
}
