import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ActionError } from '../../src/errors.js'
import { MAX_TEXT_FILE_BYTES, readTextFile } from '../../src/io/files.js'

const WHAT = 'The constraints file'

function refuses(file: string, ...patterns: RegExp[]): void {
  assert.throws(
    () => readTextFile(file, WHAT),
    (error: unknown) => {
      assert.ok(error instanceof ActionError, `an ActionError, not ${String(error)}`)
      assert.ok(error.message.startsWith(`${WHAT} '`), error.message)
      for (const p of patterns) assert.match(error.message, p)
      return true
    }
  )
}

describe('readTextFile', { timeout: 10_000 }, () => {
  let dir: string
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-test-'))
  })
  after(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('reads a text file, and a symlink to one', () => {
    const file = path.join(dir, 'upper-constraints.txt')
    fs.writeFileSync(file, '\ufeffzhmcclient===0.18.0\nos-dpm===1.1.0\n')
    assert.equal(readTextFile(file, WHAT), 'zhmcclient===0.18.0\nos-dpm===1.1.0\n')
    const link = path.join(dir, 'link.txt')
    fs.symlinkSync(file, link)
    assert.equal(readTextFile(link, WHAT), 'zhmcclient===0.18.0\nos-dpm===1.1.0\n')
  })

  it('says a missing file does not exist', () => {
    refuses(path.join(dir, 'nope.txt'), /does not exist\. Check the path\.$/)
    refuses('nope-relative.txt', /does not exist\. Check the path \(a relative path starts from '.*'\)\./)
  })

  it('refuses a directory at once', () => {
    refuses(dir, /is a directory, not a regular file/)
  })

  it('refuses a FIFO at once, without waiting for a writer', () => {
    const fifo = path.join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    const started = Date.now()
    refuses(fifo, /is a named pipe \(FIFO\), not a regular file/)
    assert.ok(Date.now() - started < 1000)
  })

  it('refuses /dev/zero (a device that never ends), and a symlink to it', () => {
    refuses('/dev/zero', /is a device, not a regular file/)
    const link = path.join(dir, 'zero.txt')
    fs.symlinkSync('/dev/zero', link)
    refuses(link, /is a device/)
  })

  it('refuses a file over the size limit without reading it', () => {
    const big = path.join(dir, 'big.txt')
    fs.writeFileSync(big, '')
    fs.truncateSync(big, MAX_TEXT_FILE_BYTES + 1)
    refuses(big, /is larger than 4 MiB/)
  })

  it('reads to the end, not to the size the file claims (/proc files claim 0 bytes)', () => {
    assert.equal(fs.statSync('/proc/self/status').size, 0)
    assert.match(readTextFile('/proc/self/status', WHAT), /^Name:/)
  })

  it('refuses a file that is not UTF-8 text, without quoting it', () => {
    const binary = path.join(dir, 'wheel.whl')
    fs.writeFileSync(binary, Buffer.concat([Buffer.from('PK\u0003\u0004SECRET-CONTENT'), Buffer.from([0xff, 0xfe, 0x00])]))
    assert.throws(
      () => readTextFile(binary, WHAT),
      (e: Error) => e instanceof ActionError && /is not a text file/.test(e.message) && !e.message.includes('SECRET-CONTENT')
    )
    const nul = path.join(dir, 'nul.txt')
    fs.writeFileSync(nul, 'pbr===1.10.0\n\u0000')
    refuses(nul, /is not a text file/)
  })

  it('shows a path with control characters escaped', () => {
    refuses(path.join(dir, 'a\nb'), /a\\nb' does not exist/)
  })
})
