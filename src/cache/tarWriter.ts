import type { Writable } from 'node:stream'
import type { TarMember } from './tarReader.js'

/**
 * A plain tar written again from the action's own reading of an entry
 * (TarReader), for GNU tar to extract: what tar writes is then what the
 * action read and proves, by construction, rather than by comparing two
 * parsers' readings of the entry as it came. Written here rather than taken
 * from a tar library: it writes three kinds of members (files, directories,
 * symbolic links) from fields the action has already read and checked, and
 * nothing else.
 */

const BLOCK = 512
const ZEROS = Buffer.alloc(2 * BLOCK)
/** Where GNU tar stops reading. */
const END_OF_ARCHIVE = ZEROS
const TYPE_FLAGS: Record<string, string> = { '-': '0', d: '5', l: '2' }
/** The largest value of a 12-byte octal field. */
const OCTAL_MAX = 8 ** 11 - 1

/**
 * A member's blocks under `name` (relative to where tar extracts): a pax
 * header when its name, link target or time does not fit ustar's fields,
 * then its ustar header and its content, padded to whole blocks. Owners are
 * not written: tar extracts as the runner's user.
 */
function memberBlocks(member: TarMember, name: string, content: readonly Buffer[]): Buffer[] {
  const flag = TYPE_FLAGS[member.type]
  if (!flag) throw new Error(`the action does not write a member of tar type '${member.type}'`)
  const records: string[] = []
  if (Buffer.byteLength(name) > 100) records.push(paxRecord('path', name))
  if (member.target !== undefined && Buffer.byteLength(member.target) > 100) records.push(paxRecord('linkpath', member.target))
  // Whole seconds, as ustar stores them: the toolkit's pax times have nanoseconds, which nothing that runs from a venv reads (Python's byte code checks whole seconds); a pax record for each of 16,000 members would add a block each.
  const seconds = Math.floor(Number(member.mtime))
  const fits = seconds >= 0 && seconds <= OCTAL_MAX
  if (!fits) records.push(paxRecord('mtime', member.mtime))
  const blocks: Buffer[] = []
  if (records.length > 0) {
    const data = Buffer.from(records.join(''))
    blocks.push(header({ name: 'PaxHeaders/member', flag: 'x', mode: 0o644, size: data.length, mtime: 0 }), data, padding(data.length))
  }
  const size = member.type === '-' ? member.size : 0
  const mtime = fits ? seconds : 0
  blocks.push(header({ name, flag, mode: member.mode & 0o7777, size, mtime, target: member.target }))
  if (size > 0) blocks.push(...content, padding(size))
  return blocks
}

interface Header {
  name: string
  flag: string
  mode: number
  size: number
  mtime: number
  target?: string
}

/** What every header holds: owners 0 (tar extracts as the runner's user), the ustar magic, the checksum's field as spaces while it is summed. */
const TEMPLATE = (() => {
  const block = Buffer.alloc(BLOCK)
  block.write('0000000\0', 108, 'latin1')
  block.write('0000000\0', 116, 'latin1')
  block.fill(0x20, 148, 156)
  block.write('ustar\u000000', 257, 'latin1')
  return block
})()

/** A POSIX ustar header; a name or target too long for it is cut here and read whole from the pax header before it. */
function header({ name, flag, mode, size, mtime, target }: Header): Buffer {
  // From a copy of the template, by bytes: one per member, 16,000 for Nova's venv.
  const block = Buffer.allocUnsafe(BLOCK)
  TEMPLATE.copy(block)
  block.write(name, 0, 100)
  octal(block, 100, 8, mode)
  octal(block, 124, 12, size)
  octal(block, 136, 12, mtime)
  block[156] = flag.charCodeAt(0)
  if (target !== undefined) block.write(target, 157, 100)
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += block[i]
  octal(block, 148, 7, sum)
  return block
}

/** `value` in octal digits, zero-padded, then a NUL: a field of `length` bytes. Not by bit operations: a size passes 2^31. */
function octal(block: Buffer, offset: number, length: number, value: number): void {
  block[offset + length - 1] = 0
  for (let i = offset + length - 2; i >= offset; i--) {
    block[i] = 0x30 + (value % 8)
    value = Math.floor(value / 8)
  }
}

/** `<length> <key>=<value>\n`, its length in bytes counting the record itself, digits included. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`
  const bytes = Buffer.byteLength(body)
  let length = bytes + String(bytes).length
  if (String(length).length + bytes !== length) length = String(length).length + bytes
  return `${length}${body}`
}

function padding(size: number): Buffer {
  return ZEROS.subarray(0, (BLOCK - (size % BLOCK)) % BLOCK)
}

/**
 * What tar has not yet taken in before the reading waits for it: a pipeline
 * whose slowest stage is tar otherwise holds the whole archive in memory, and
 * each page of it is a fault (on a fresh runner, one the host serves).
 */
const BACKLOG_BYTES = 4 * 2 ** 20

/**
 * What GNU tar extracts from while the entry comes down (`feed`, given its
 * standard input): each member the gate admits, as soon as it is read,
 * renamed relative to `prefix` (the prefix itself is not written: tar
 * extracts into a directory the action made). From the first member the gate
 * refuses, nothing more is written and the input ends without an end of
 * archive, so that tar fails rather than leave a tree that looks whole.
 * Members read from one decompressed chunk are written at once, as views of
 * it in one vectored write: thousands of small writes cost more, and a copy
 * of 94 MB is memory the restore never needed.
 */
export class RewrittenTar {
  private sink: Writable | undefined
  private parts: Buffer[] = []
  private open = true
  /** When the reading began to wait for tar, while it waits. */
  private waitingSince: number | undefined

  constructor(
    private readonly prefix: string,
    private readonly admits: (member: TarMember) => boolean
  ) {}

  /** Where the rewriting goes: tar's standard input. */
  readonly feed = (sink: Writable): void => {
    this.sink = sink
    if (this.open) this.flush()
    else sink.end()
  }

  /** Every member read is asked about, written or not: the gate's answer stands for the whole list. */
  member(member: TarMember, content: readonly Buffer[]): void {
    const admitted = this.admits(member)
    if (!this.open) return
    if (!admitted) return this.close()
    if (member.name !== this.prefix) this.parts.push(...memberBlocks(member, member.name.slice(this.prefix.length + 1), content))
  }

  /** Writes what the last chunk completed. */
  flush(): void {
    const { sink } = this
    if (!this.open || !sink || this.parts.length === 0) return
    sink.cork()
    for (const part of this.parts) sink.write(part)
    sink.uncork()
    this.parts = []
  }

  /** Settles once tar has taken in the backlog, or stopped reading; undefined when there is nothing to wait for. */
  backlog(): Promise<void> | undefined {
    const { sink } = this
    if (!this.open || !sink || sink.writableLength <= BACKLOG_BYTES) return undefined
    this.waitingSince = Date.now()
    return new Promise(resolve => {
      const done = () => {
        for (const event of ['drain', 'close', 'error']) sink.off(event, done)
        this.waitingSince = undefined
        resolve()
      }
      for (const event of ['drain', 'close', 'error']) sink.on(event, done)
    })
  }

  /** How long the reading has been waiting for tar to take in its backlog: the download stands still meanwhile. */
  waitedMs(): number {
    return this.waitingSince === undefined ? 0 : Date.now() - this.waitingSince
  }

  /** `whole`: the reading ended at the archive's end and accepted every member. */
  end(whole: boolean): void {
    if (whole && this.open) this.parts.push(END_OF_ARCHIVE)
    this.flush()
    this.close()
  }

  /** Also when tar stopped reading: nothing more is kept for it. */
  close(): void {
    this.open = false
    this.parts = []
    if (this.sink && !this.sink.writableEnded) this.sink.end()
  }
}
