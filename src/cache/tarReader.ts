/**
 * The members of a plain tar with their content, read in this process as it
 * is decompressed. Written here rather than taken from a tar library because the
 * point is to accept less, not more: a venv entry's files are proved from
 * this reading (checking them on disk after extraction costs one system call
 * per file, seconds for Nova's 16,000), and GNU tar extracts the action's
 * rewriting of it (tarWriter.ts), never the entry itself. It reads only what
 * GNU tar writes with `--posix` (ustar headers, per-member pax records) and
 * old GNU headers, as GNU tar reads them, and throws on anything else.
 */

const BLOCK = 512

export interface TarMember {
  /** GNU tar's type letter in a verbose listing: '-' file, 'd' directory, 'l' symbolic link, 'h' hard link, 'c', 'b', 'p'. */
  type: string
  /** The nine permission letters, as GNU tar's listing writes them. */
  permissions: string
  /** The mode bits they spell. */
  mode: number
  /** Seconds since the epoch, as stored: the header's whole seconds, or pax's decimal (a fraction, a sign). */
  mtime: string
  /** As stored (pax path first), a directory's trailing '/' removed. */
  name: string
  /** Bytes of a regular file's content; 0 for anything else. */
  size: number
  /** A link's target, as stored. */
  target?: string
  /**
   * A regular file's content, when the reader's caller keeps it (`keeps`): a
   * copy, so that no chunk of the archive stays held for it. A venv of
   * Nova's size holds 94 MB of files, and the proof reads only its file lists.
   */
  content?: Buffer
  /** The content's SHA-256 (base64url, unpadded), when the reader's caller computed it as the member arrived. */
  sha256?: string
}

const TYPES: Record<string, string> = { '0': '-', '\0': '-', '1': 'h', '2': 'l', '3': 'c', '4': 'b', '5': 'd', '6': 'p' }
/** The pax keywords GNU tar writes for a member; any other (sparse maps, charsets, extended attributes) is not read. */
const PAX_KEYS = new Set(['path', 'linkpath', 'size', 'mtime', 'atime', 'ctime', 'uid', 'gid', 'uname', 'gname'])

/** A header read, whose content (padded to whole blocks) is still to come. */
interface Pending {
  header: Buffer
  /** Where the header starts in the archive, for the errors. */
  at: number
  /** Bytes of content that follow the header. */
  size: number
}

/**
 * Reads a plain tar as it arrives, in chunks of any size (zstd's output as it
 * decompresses): every member up to the first zero block, where GNU tar stops
 * too. `read` gets each member's content as views of the chunks that hold it,
 * never copied, and sees it once: only what `keeps` asks for is kept (as a
 * copy), so that memory holds what is still to be read, not the archive.
 * `push` and `end` throw at the first thing the reading does not accept.
 */
export class TarReader {
  private readonly members: TarMember[] = []
  /** Bytes received and not yet read: `chunks[0]` from `offset`. */
  private chunks: Buffer[] = []
  private offset = 0
  private buffered = 0
  /** Where the next unread byte is in the archive. */
  private at = 0
  private pending: Pending | undefined
  private pax: Map<string, string> | undefined
  private done = false

  /** `read` sees each member as soon as its content has arrived. */
  constructor(
    private readonly read: (member: TarMember, content: readonly Buffer[]) => void = () => undefined,
    private readonly keeps: (member: TarMember) => boolean = () => true
  ) {}

  push(chunk: Buffer): void {
    // GNU tar reads nothing past the end-of-archive block either.
    if (this.done || chunk.length === 0) return
    this.chunks.push(chunk)
    this.buffered += chunk.length
    for (;;) {
      if (!this.pending) {
        if (this.buffered < BLOCK) return
        const at = this.at
        const views = this.takeViews(BLOCK, BLOCK)
        const header = views.length === 1 ? views[0] : Buffer.concat(views)
        if (header[0] === 0 && isZero(header)) {
          if (this.pax) throw unreadable(at, 'pax records with no member after them')
          this.done = true
          this.chunks = []
          return
        }
        this.pending = this.headerRead(header, at)
      }
      const { size } = this.pending
      if (this.buffered < padded(size)) return
      this.memberRead(this.pending, this.takeViews(padded(size), size))
      this.pending = undefined
    }
  }

  /** The members, once the whole archive has been pushed. */
  end(): TarMember[] {
    if (this.pending) throw unreadable(this.pending.at, 'a member whose content runs past the end')
    if (!this.done) throw unreadable(this.at, 'an end before the end-of-archive blocks')
    return this.members
  }

  /** The size of what follows a header, checked before any of it is waited for. */
  private headerRead(header: Buffer, at: number): Pending {
    checkSum(header, at)
    const flag = String.fromCharCode(header[156])
    const stored = octal(header, 124, 12, at)
    if (flag === 'x') {
      if (this.pax) throw unreadable(at, 'two pax headers for one member')
      return { header, at, size: stored }
    }
    if (!TYPES[flag]) throw unreadable(at, `tar type '${printable(flag)}'`)
    return { header, at, size: this.pax?.has('size') ? decimal(this.pax.get('size') ?? '', at) : stored }
  }

  private memberRead({ header, at, size }: Pending, content: Buffer[]): void {
    const flag = String.fromCharCode(header[156])
    if (flag === 'x') {
      this.pax = paxRecords(Buffer.concat(content, size), at)
      return
    }
    const type = TYPES[flag]
    const pax = this.pax
    let name = pax?.get('path') ?? headerName(header, at)
    if (type !== 'd' && name.endsWith('/')) throw unreadable(at, 'a name ending in / that is not a directory')
    if (type !== '-' && size !== 0) throw unreadable(at, 'content on a member that is not a regular file')
    name = name.replace(/\/+$/, '')
    const mode = octal(header, 100, 8, at)
    const mtime = pax?.get('mtime') ?? String(octal(header, 136, 12, at))
    if (!/^-?\d+(\.\d+)?$/.test(mtime)) throw unreadable(at, 'a pax mtime that is not a number')
    const member: TarMember = { type, permissions: permissions(mode), mode, mtime, name, size: type === '-' ? size : 0 }
    if (type === 'l' || type === 'h') member.target = pax?.get('linkpath') ?? text(header, 157, 100)
    if (type === '-' && this.keeps(member)) member.content = Buffer.concat(content, size)
    this.members.push(member)
    this.read(member, content)
    this.pax = undefined
  }

  /** The next `n` buffered bytes, of which the first `wanted` are returned as views of the chunks that hold them. */
  private takeViews(n: number, wanted: number): Buffer[] {
    const views: Buffer[] = []
    this.at += n
    this.buffered -= n
    while (n > 0) {
      const chunk = this.chunks[0]
      const part = Math.min(n, chunk.length - this.offset)
      const viewed = Math.min(part, wanted)
      if (viewed > 0) views.push(chunk.subarray(this.offset, this.offset + viewed))
      wanted -= viewed
      n -= part
      this.offset += part
      if (this.offset === chunk.length) this.next()
    }
    return views
  }

  private next(): void {
    this.chunks.shift()
    this.offset = 0
  }
}

function headerName(header: Buffer, at: number): string {
  const magic = header.toString('latin1', 257, 265)
  const name = text(header, 0, 100)
  // Only POSIX ustar has a name prefix; in old GNU headers those bytes hold other fields.
  if (magic === 'ustar\u000000') {
    const prefix = text(header, 345, 155)
    return prefix ? `${prefix}/${name}` : name
  }
  if (magic === 'ustar  \u0000') return name
  throw unreadable(at, 'a header that is neither POSIX ustar nor GNU')
}

/** GNU tar accepts the sum of the header's bytes, read as unsigned or as signed, the sum's own field counted as spaces. */
function checkSum(header: Buffer, at: number): void {
  const expected = octal(header, 148, 8, at)
  let unsigned = 8 * 0x20
  for (let i = 0; i < 148; i++) unsigned += header[i]
  for (let i = 156; i < BLOCK; i++) unsigned += header[i]
  if (expected === unsigned) return
  // Only an old writer's header (a byte past 127 in a name) needs the signed sum: not every one of 16,000.
  let high = 0
  for (let i = 0; i < BLOCK; i++) if ((i < 148 || i >= 156) && header[i] > 127) high++
  if (expected !== unsigned - 256 * high) throw unreadable(at, 'a header whose checksum is wrong')
}

/** A numeric field: octal digits, space or NUL padded; GNU's base-256 form (huge or negative values) is not read. */
function octal(header: Buffer, offset: number, length: number, at: number): number {
  if (header[offset] & 0x80) throw unreadable(at, 'a number in base-256')
  // By bytes: three fields of every one of thousands of headers.
  let i = offset
  const end = offset + length
  while (i < end && header[i] === 0x20) i++
  let value = 0
  for (; i < end && header[i] >= 0x30 && header[i] <= 0x37; i++) value = value * 8 + header[i] - 0x30
  for (; i < end; i++) if (header[i] !== 0x20 && header[i] !== 0) throw unreadable(at, 'a numeric field that is not octal')
  return value
}

function decimal(value: string, at: number): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw unreadable(at, 'a pax size that is not a number')
  return Number(value)
}

/** Records `<length> <key>=<value>\n`, the length in bytes and counting the whole record. */
function paxRecords(data: Buffer, at: number): Map<string, string> {
  const records = new Map<string, string>()
  let offset = 0
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset)
    const digits = space === -1 ? '' : data.toString('latin1', offset, space)
    const length = /^[1-9]\d*$/.test(digits) ? Number(digits) : NaN
    const end = offset + length
    if (!(end <= data.length) || data[end - 1] !== 0x0a) throw unreadable(at, 'a malformed pax record')
    const record = data.toString('utf8', space + 1, end - 1)
    const equals = record.indexOf('=')
    const key = record.slice(0, equals)
    if (equals < 1 || !PAX_KEYS.has(key)) throw unreadable(at, `the pax keyword ${JSON.stringify(printable(key))}`)
    if (records.has(key)) throw unreadable(at, `the pax keyword ${key} twice`)
    const value = record.slice(equals + 1)
    // GNU tar reads a name up to its first NUL.
    if (value.includes('\0')) throw unreadable(at, `a pax ${key} holding a NUL byte`)
    records.set(key, value)
    offset = end
  }
  return records
}

/** By mode: a venv's 16,000 members have a handful. */
const LETTERS = new Map<number, string>()

function permissions(mode: number): string {
  const known = LETTERS.get(mode)
  if (known !== undefined) return known
  const letters = [...'rwxrwxrwx'].map((letter, i) => (mode & (0o400 >> i) ? letter : '-'))
  const special = (bit: number, i: number, set: string) => {
    if (mode & bit) letters[i] = letters[i] === '-' ? set.toUpperCase() : set
  }
  special(0o4000, 2, 's')
  special(0o2000, 5, 's')
  special(0o1000, 8, 't')
  const spelled = letters.join('')
  LETTERS.set(mode, spelled)
  return spelled
}

/** A NUL-terminated field, its bytes read as UTF-8 (as the listing's unescaped names are). */
function text(header: Buffer, offset: number, length: number): string {
  const field = header.subarray(offset, offset + length)
  const end = field.indexOf(0)
  return field.toString('utf8', 0, end === -1 ? length : end)
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK
}

function isZero(block: Buffer): boolean {
  for (const byte of block) if (byte !== 0) return false
  return true
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

function unreadable(at: number, what: string): Error {
  return new Error(`the entry holds ${what} (at byte ${at}), which the action does not read`)
}
