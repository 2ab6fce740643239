import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { after, describe, it } from 'node:test'
import { LOG_KEPT, withBoundedLog } from '../../src/io/boundedLog.js'
import { runProcess } from '../../src/io/process.js'

/** Logs as pip's --log does (logging's FileHandler, appending), 50 MiB of lines, then a pause and a last 200. */
const WRITER = String.raw`
import logging, sys, time
handler = logging.FileHandler(sys.argv[1])
handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
log = logging.getLogger("pip")
log.addHandler(handler)
log.setLevel(logging.DEBUG)
for i in range(500000):
    log.debug("build output %07d %s", i, "x" * 60)
time.sleep(0.6)
for i in range(200):
    log.debug("last %03d", i)
log.debug("END")
`

describe('withBoundedLog', { timeout: 120_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bounded-log-'))
  after(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('keeps a huge log file small while it is written, and its whole tail', async () => {
    const file = path.join(dir, 'pip.log')
    let largest = 0
    const watch = setInterval(() => {
      if (fs.existsSync(file)) largest = Math.max(largest, fs.statSync(file).size)
    }, 20)
    let written: { value: { exitCode: number; stderr: string }; log: string }
    try {
      written = await withBoundedLog(file, () => runProcess('/usr/bin/python3', ['-c', WRITER, file], { what: 'the writer', timeoutMs: 100_000 }))
    } finally {
      clearInterval(watch)
    }
    assert.equal(written.value.exitCode, 0, written.value.stderr)
    assert.ok(largest > 0 && largest < 24 * 1024 * 1024, `the file reached ${largest} bytes of the 50 MiB written`)
    assert.equal(fs.statSync(file).size, LOG_KEPT, 'the file keeps the tail')
    assert.equal(Buffer.byteLength(written.log), LOG_KEPT)
    assert.equal(fs.readFileSync(file, 'utf8'), written.log)
    const lines = written.log.trimEnd().split('\n')
    assert.match(lines.at(-1)!, / END$/)
    assert.deepEqual(
      lines.slice(-201, -1).map(line => line.split(' ').at(-1)),
      Array.from({ length: 200 }, (_, i) => String(i).padStart(3, '0'))
    )
    assert.match(lines.at(-202)!, /build output 0499999 x{60}$/)
  })

  it('returns nothing, and makes no file, when the child wrote no log', async () => {
    const file = path.join(dir, 'none.log')
    const { value, log } = await withBoundedLog(file, async () => 42)
    assert.deepEqual([value, log, fs.existsSync(file)], [42, '', false])
  })
})
