import * as fs from 'node:fs'

/** What is kept of a log: its last bytes, as much as pip's failure explanation reads. */
export const LOG_KEPT = 1024 * 1024
/** The size at which the file is emptied (it may pass it by what is written in one LOOK_MS). */
const LOG_MAX_FILE = 8 * 1024 * 1024
const LOOK_MS = 200

/**
 * Runs `work`, during which a child appends to `file` (pip's `--log` opens
 * it to append), and keeps the file small: whenever it has passed
 * LOG_MAX_FILE, its last LOG_KEPT bytes are taken into memory and it is
 * emptied, and the child's next write lands at its start. Afterwards the file
 * holds the log's last LOG_KEPT bytes, which are returned too ('' when the
 * child wrote none). A pipe would use no disk at all, but Node gives a child
 * socket pairs, not pipes, and a socket cannot be opened by a path
 * (/dev/fd/3 gives ENXIO), which is all pip takes.
 */
export async function withBoundedLog<T>(file: string, work: () => Promise<T>): Promise<{ value: T; log: string }> {
  let carried: Buffer = Buffer.alloc(0)
  const timer = setInterval(() => {
    withFile(file, fd => {
      const size = fs.fstatSync(fd).size
      if (size <= LOG_MAX_FILE) return
      carried = readTail(fd, size)
      // A line written between that read and this cut is lost; the log's end, which is what is read, stays whole.
      fs.ftruncateSync(fd, 0)
    })
  }, LOOK_MS)
  let value: T
  let log = ''
  try {
    value = await work()
  } finally {
    clearInterval(timer)
    withFile(file, fd => {
      const tail = Buffer.concat([carried, readTail(fd, fs.fstatSync(fd).size)]).subarray(-LOG_KEPT)
      fs.ftruncateSync(fd, 0)
      fs.writeSync(fd, tail, 0, tail.length, 0)
      log = tail.toString('utf8')
    })
  }
  return { value, log }
}

/** Calls `use` with the file open for reading and writing; not at all when there is no file (the child wrote nothing yet). */
function withFile(file: string, use: (fd: number) => void): void {
  let fd: number
  try {
    fd = fs.openSync(file, 'r+')
  } catch {
    return
  }
  try {
    use(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/** The last LOG_KEPT bytes of a file of `size` bytes. */
function readTail(fd: number, size: number): Buffer {
  const length = Math.min(size, LOG_KEPT)
  const buffer = Buffer.alloc(length)
  const read = fs.readSync(fd, buffer, 0, length, size - length)
  return buffer.subarray(0, read)
}
