import { createHash, hash } from 'node:crypto'
import * as fs from 'node:fs'
import type { Readable, Transform, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as zlib from 'node:zlib'
import { runProcess, type ProcessResult } from '../io/process.js'
import { shown } from '../log/escape.js'
import { TarReader, type TarMember } from './tarReader.js'
import type { RewrittenTar } from './tarWriter.js'

/** How the toolkit compressed an entry: zstd when `zstd` was on PATH at save time, else gzip. */
export type Compression = 'zstd-without-long' | 'gzip'

export interface Member {
  /** GNU tar's type letter in a verbose listing: '-' file, 'd' directory, 'l' symbolic link, 'h' hard link, … */
  type: string
  /** The nine permission letters. */
  permissions: string
  /** As stored, with a directory's trailing '/' removed. */
  name: string
  /** Bytes of a regular file's content; 0 for anything else. */
  size: number
  /** A link's target, as stored. */
  target?: string
}

/** What an entry may hold, below the one directory it caches. */
export interface MemberRules {
  /** That directory as a warning names it: 'the venv'. */
  within: string
  /** Symbolic links may be extracted (never one that a later member lies beneath). */
  links: boolean
}

/** A listing or an extraction of an archive of thousands of files takes seconds; a stuck one is stopped. */
const TAR_LIMIT_MS = 5 * 60 * 1000
/**
 * zstd reads an entry as it comes down, and tar extracts the action's
 * rewriting of it, so they last as long as the download, which moves or is
 * cut (watchRequests); this bounds them should neither end.
 */
const DECOMPRESS_LIMIT_MS = 60 * 60 * 1000
/** Paths named in a refusal, before the rest is counted. */
const SHOWN_PATHS = 5

const KINDS: Record<string, string> = { h: 'a hard link', c: 'a character device', b: 'a block device', p: 'a FIFO', s: 'a socket' }

/**
 * How tar reads a downloaded pip entry: zstd as the toolkit's own tar runs
 * it, or gzip, its fallback. tar decompresses the file itself, for the
 * listing and again for the extraction, rather than the action writing the
 * plain tar to disk; a venv entry is decompressed once, by the action, as it
 * comes down (readEntry).
 */
function decompressing(compression: Compression): string[] {
  return compression === 'gzip' ? ['-z'] : ['--use-compress-program', 'zstd']
}

/**
 * The action's own reading of a downloaded entry (TarReader), made while it
 * is decompressed, with each file's SHA-256: its members, or why they cannot
 * be read as GNU tar writes them. Each member also goes to `rewritten` as it
 * is read, for GNU tar to extract meanwhile; the decompression waits while
 * tar is behind. Only the content `keeps` asks for stays in memory. A
 * decompression that fails, or an entry larger than `maxBytes` unpacked,
 * throws.
 */
export async function readEntry(
  compressed: Readable,
  compression: Compression,
  maxBytes: number,
  rewritten?: RewrittenTar,
  keeps?: (member: TarMember) => boolean
): Promise<TarMember[] | Error> {
  // Hashed here, while the next chunk is still being decompressed, rather than in the proof that waits for the last one;
  // and after the chunk's members went to tar, which extracts them meanwhile.
  const unhashed: [TarMember, readonly Buffer[]][] = []
  const reader = new TarReader((member, content) => {
    if (member.type === '-') unhashed.push([member, content])
    rewritten?.member(member, content)
  }, keeps)
  let unreadable: Error | undefined
  const take = (chunk: Buffer) => {
    if (unreadable) return undefined
    try {
      reader.push(chunk)
    } catch (error) {
      unreadable = error as Error
      rewritten?.close()
    }
    rewritten?.flush()
    for (const [member, content] of unhashed) member.sha256 = sha256(content)
    unhashed.length = 0
    return rewritten?.backlog()
  }
  let read: TarMember[] | Error | undefined
  try {
    await decompress(compressed, compression, maxBytes, take)
    read = unreadable ?? ended(reader)
  } finally {
    rewritten?.end(Array.isArray(read))
    // Stopped early, it reads no more: the download goes on to its end without it.
    compressed.destroy()
  }
  return read
}

/** base64url, unpadded, as RECORDs write it; one call for content held in one chunk, which most files are. */
function sha256(content: readonly Buffer[]): string {
  if (content.length === 1) return hash('sha256', content[0], 'base64url')
  const digest = createHash('sha256')
  for (const part of content) digest.update(part)
  return digest.digest('base64url')
}

function ended(reader: TarReader): TarMember[] | Error {
  try {
    return reader.end()
  } catch (error) {
    return error as Error
  }
}

/**
 * Node's own zstd decoder (Node 22.15 and 23.8 on, so the runner's node24),
 * looked up rather than imported: this project's types are Node 20's, and on
 * Node 20 (where its tests may run) the zstd program decompresses instead.
 */
const zstdDecoder = (zlib as { createZstdDecompress?: (options: zlib.ZlibOptions) => Transform }).createZstdDecompress

/**
 * The decompressed chunks Node's decoders hand on: a venv entry unpacks to
 * hundreds of MB, and each chunk is a callback, a buffer and, when tar is
 * behind, a write of its own (the default, 16 KiB, makes thousands).
 */
const DECODED_CHUNK_BYTES = 2 ** 20

/**
 * Hands the plain tar of an entry to `take` as it is decompressed: in this
 * process where Node decodes the format (off its main thread, with no pipe
 * to copy the tar through), else by the zstd program.
 */
async function decompress(compressed: Readable, compression: Compression, maxBytes: number, take: (chunk: Buffer) => Promise<void> | undefined): Promise<void> {
  const tooLarge = () => new Error(`the entry unpacks to more than ${Math.round(maxBytes / 2 ** 20)} MiB, the most the action restores`)
  if (compression === 'zstd-without-long' && !zstdDecoder) {
    const result = await runProcess('zstd', ['-d', '-q', '-c'], { what: 'zstd -d', timeoutMs: DECOMPRESS_LIMIT_MS, input: compressed, output: { maxBytes, take } })
    if (result.overflowed) throw tooLarge()
    if (result.exitCode !== 0) throw new Error(`zstd could not decompress the entry (exit code ${result.exitCode}): ${lastWords(result)}`)
    return
  }
  const decoder = compression === 'gzip' ? zlib.createGunzip({ chunkSize: DECODED_CHUNK_BYTES }) : zstdDecoder!({ chunkSize: DECODED_CHUNK_BYTES })
  let total = 0
  let overflow: Error | undefined
  try {
    await pipeline(compressed, decoder, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        total += chunk.length
        if (total > maxBytes) throw (overflow = tooLarge())
        await take(chunk)
      }
    })
  } catch (error) {
    // The pipeline may end with the abort its stop caused rather than the stop itself.
    if (overflow) throw overflow
    // Otherwise whichever stream failed first ends it: the decoder's own failure carries its library's code (Z_BUF_ERROR,
    // ZSTD_error_…) and is worded as the entry's, while a failed download or reading is thrown as it is.
    if (!/^(Z|ZSTD)_/.test((error as NodeJS.ErrnoException).code ?? '')) throw error
    throw new Error(`${compression === 'gzip' ? 'gzip' : 'zstd'} could not decompress the entry: ${shown((error as Error).message)}`)
  }
}

/**
 * The members of a downloaded entry, as GNU tar reads them (pax names
 * included). The verbose listing goes to a file, not through a pipe, so that
 * a large one is never cut; LC_ALL=C makes tar escape every byte outside
 * ASCII, so that each member is one line.
 */
export async function listArchive(archive: string, compression: Compression, indexFile: string): Promise<Member[]> {
  const args = ['-t', '-v', '-P', '--numeric-owner', '--quoting-style=escape', `--index-file=${indexFile}`, ...decompressing(compression), '-f', archive]
  const result = await runProcess('tar', args, { what: 'tar -t', timeoutMs: TAR_LIMIT_MS, env: { ...process.env, LC_ALL: 'C' } })
  if (result.exitCode !== 0) throw new Error(`tar could not list the entry (exit code ${result.exitCode}): ${lastWords(result)}`)
  return parseListing(fs.readFileSync(indexFile, 'latin1'))
}

/**
 * Extracts a downloaded entry whose members `refusedMembers` accepted into
 * `into`, without the prefix they share. `-P` is needed because that prefix
 * is relative to the saving run's workspace and so starts with `..` for a
 * venv outside it, which GNU tar otherwise refuses before it strips anything;
 * it is safe here because every name was checked to be the prefix and a clean
 * path below it, never beneath a link in the archive, and never twice. Owners
 * and modes beyond the user's umask are not taken from the archive.
 */
export async function extractArchive(archive: string, compression: Compression, into: string, strip: number): Promise<void> {
  fs.mkdirSync(into, { recursive: true })
  const args = ['-x', '-P', ...decompressing(compression), '-f', archive, '-C', into, `--strip-components=${strip}`, '--no-same-owner', '--no-same-permissions']
  const result = await runProcess('tar', args, { what: 'tar -x', timeoutMs: TAR_LIMIT_MS })
  if (result.exitCode !== 0) throw new Error(`tar could not extract the entry (exit code ${result.exitCode}): ${lastWords(result)}`)
}

/**
 * Extracts the action's own rewriting of an entry (RewrittenTar) into `into`
 * as it is written: names relative to `into`, each checked by the rules
 * before it was written, so GNU tar's own refusals (absolute names, `..`,
 * writing through a link) stay on as a second guard. It lasts as long as the
 * download the rewriting follows.
 */
export async function extractRewritten(rewritten: (stdin: Writable) => void, into: string): Promise<void> {
  fs.mkdirSync(into, { recursive: true })
  const args = ['-x', '-f', '-', '-C', into, '--no-same-owner', '--no-same-permissions']
  const result = await runProcess('tar', args, { what: 'tar -x', timeoutMs: DECOMPRESS_LIMIT_MS, input: rewritten })
  if (result.exitCode !== 0) throw new Error(`tar could not extract the entry (exit code ${result.exitCode}): ${lastWords(result)}`)
}

function lastWords(result: ProcessResult): string {
  return shown(result.stderr.trim().split('\n').slice(-2).join(' '))
}

const LINE = /^(.)([-rwxsStT]{9}) +\d+\/\d+ +(\S+) +\d{4}-\d\d-\d\d \d\d:\d\d (.*)$/

/** Lines of `tar -tv --numeric-owner`; a line of another shape makes the whole listing unreadable. */
export function parseListing(text: string): Member[] {
  return text
    .split('\n')
    .filter(line => line !== '')
    .map(line => {
      const match = LINE.exec(line)
      if (!match) throw new Error(`tar listed a member in a form the action does not read: ${shown(line.slice(0, 120))}`)
      const [, type, permissions, size, rest] = match
      const member: Member = { type, permissions, name: '', size: type === '-' ? Number(size) : 0 }
      let quoted = rest
      const separator = { l: ' -> ', h: ' link to ' }[type]
      if (separator) {
        // A link's name ends at the separator; a name holding that text itself cannot be told apart from its target.
        const parts = rest.split(separator)
        if (parts.length !== 2) throw new Error(`tar listed a link whose name cannot be told from its target: ${shown(rest.slice(0, 120))}`)
        quoted = parts[0]
        member.target = unescape(parts[1])
      }
      member.name = unescape(quoted).replace(/\/$/, '')
      return member
    })
}

/** GNU tar's escape quoting: backslash escapes of C, and octal bytes. */
function unescape(text: string): string {
  const simple: Record<string, number> = { '\\': 0x5c, n: 0x0a, t: 0x09, r: 0x0d, f: 0x0c, v: 0x0b, a: 0x07, b: 0x08, '?': 0x3f, '"': 0x22, "'": 0x27, ' ': 0x20 }
  const bytes: number[] = []
  for (let at = 0; at < text.length; at++) {
    const c = text[at]
    if (c !== '\\') {
      bytes.push(text.charCodeAt(at) & 0xff)
      continue
    }
    const octal = /^[0-7]{3}/.exec(text.slice(at + 1))
    if (octal) {
      bytes.push(parseInt(octal[0], 8))
      at += 3
    } else if (simple[text[at + 1]] !== undefined) {
      bytes.push(simple[text[++at]])
    } else {
      throw new Error(`tar listed a name with an escape the action does not read: ${shown(text.slice(0, 120))}`)
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

/**
 * Why an entry's members may not be extracted, one sentence per member
 * (the first few). The toolkit would extract them with `tar -P` relative to
 * the workspace: an absolute name or one climbing out of `prefix` (the cached
 * directory, relative to the workspace) would be written anywhere the
 * runner's user may write. Only directories, regular files and (where `rules`
 * allow them) symbolic links are taken; a hard link or a device is never
 * part of a venv or a pip cache; a set-user-ID bit never.
 */
export function refusedMembers(members: readonly Member[], prefix: string, rules: MemberRules): string[] {
  const names = new Set<string>()
  const links = new Set(members.filter(m => m.type === 'l').map(m => m.name))
  const problems: string[] = []
  for (const member of members) {
    const why = memberProblem(member, prefix, names, links, rules)
    if (why) problems.push(`${shown(member.name)} ${why}`)
    names.add(member.name)
  }
  if (problems.length <= SHOWN_PATHS) return problems
  return [...problems.slice(0, SHOWN_PATHS), `${problems.length - SHOWN_PATHS} more members`]
}

/**
 * refusedMembers asked one member at a time, in the archive's order, as the
 * entry is read: it refuses from the first member that list would refuse,
 * knowing only the members before it, and from a link below the prefix that
 * a member before it lies beneath (the member the whole list refuses). So
 * once every member was asked, it has refused one exactly when
 * refusedMembers refuses the list.
 */
export class MemberGate {
  private readonly names = new Set<string>()
  private readonly links = new Set<string>()
  private refused = false

  constructor(
    private readonly prefix: string,
    private readonly rules: MemberRules
  ) {}

  /** Whether it refused a member. */
  get shut(): boolean {
    return this.refused
  }

  admits(member: Member): boolean {
    if (this.refused) return false
    if (member.type === 'l') this.links.add(member.name)
    this.refused = (member.type === 'l' && this.linkAbove(member.name)) || memberProblem(member, this.prefix, this.names, this.links, this.rules) !== undefined
    this.names.add(member.name)
    return !this.refused
  }

  /** Whether a member before the link `name` lies beneath it: a venv holds a handful of links, each looked for among all names so far. */
  private linkAbove(name: string): boolean {
    if (name === this.prefix) return false
    const beneath = `${name}/`
    for (const earlier of this.names) if (earlier.startsWith(beneath)) return true
    return false
  }
}

/** A part of a path that is empty, '.' or '..'. */
const UNCLEAN_PART = /(^|\/)(\.\.?)?(\/|$)/

/** By string tests, not by splitting names into parts: 16,000 members, each a dozen parts deep, are asked as they are read. */
function memberProblem(member: Member, prefix: string, names: Set<string>, links: Set<string>, rules: MemberRules): string | undefined {
  const { name } = member
  if (name.startsWith('/')) return 'is an absolute path'
  if (name !== prefix && !name.startsWith(`${prefix}/`)) return `lies outside ${rules.within} (${shown(prefix)})`
  if (name !== prefix && UNCLEAN_PART.test(name.slice(prefix.length + 1))) return "has an empty, '.' or '..' part"
  if (member.type === 'l' && !rules.links) return `is a symbolic link, which ${rules.within} never holds`
  if (!['-', 'd', 'l'].includes(member.type)) return `is ${KINDS[member.type] ?? `of tar type '${member.type}'`}`
  if (/[sS]/.test(member.permissions[2] + member.permissions[5])) return 'is set-user-ID or set-group-ID'
  if (names.has(name)) return 'is in the archive twice'
  // A directory between the prefix and the member that is a link: a venv has a handful of links, each a test.
  for (const link of links) if (name.startsWith(`${link}/`) && link.startsWith(`${prefix}/`)) return 'lies beneath a symbolic link of the archive'
  return undefined
}
