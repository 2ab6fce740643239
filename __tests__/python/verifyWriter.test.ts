import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { checkFiles, type RecordFile } from '../../src/python/verify.js'
import { tempDir } from '../fixtures/runAction.js'

/** A site-packages with `count` modules of `lying`, each listed in its RECORD with the sha256 of other bytes. */
function lyingRecord(count: number): RecordFile {
  const base = tempDir('nova-dpm-writer-')
  const info = path.join(base, 'lying-1.0.dist-info')
  fs.mkdirSync(path.join(base, 'lying'))
  fs.mkdirSync(info)
  const other = createHash('sha256').update('other bytes').digest('base64url')
  const rows = Array.from({ length: count }, (_, i) => {
    fs.writeFileSync(path.join(base, 'lying', `m${i}.py`), 'X = 1\n')
    return `lying/m${i}.py,sha256=${other},6`
  })
  fs.writeFileSync(path.join(info, 'RECORD'), [...rows, 'lying-1.0.dist-info/RECORD,,'].join('\n') + '\n')
  return { file: path.join(info, 'RECORD'), base, hashed: true }
}

describe('checkFiles words a file that differs from its RECORD by who wrote it', () => {
  it("this run's pip: the wheel is broken as published, once, after the files", () => {
    const problems = checkFiles('lying 1.0', lyingRecord(7), 'this-run')
    assert.equal(problems.length, 7)
    assert.match(problems[0], /^lying\/m0\.py of lying 1\.0 does not match its wheel's RECORD \(its sha256 differs from the record\)$/)
    assert.equal(problems[5], "2 more files of lying 1.0 do not match its wheel's RECORD")
    assert.match(problems[6], /^lying 1\.0 is broken as published: .* Report it to its publisher; meanwhile ask for another version/)
    assert.ok(problems.every(p => !/changed after it was installed|drop the cache/.test(p)), problems.join('\n'))
  })

  it('someone before: a change after the install, which reinstalling or dropping the cache undoes', () => {
    const problems = checkFiles('lying 1.0', lyingRecord(7))
    assert.equal(problems.length, 6)
    assert.match(problems[0], /^lying\/m0\.py of lying 1\.0 was changed after it was installed \(its sha256 differs from the record\)$/)
    assert.equal(problems[5], '2 more files of lying 1.0 are missing or changed; reinstall it (or drop the cache that restored it)')
    assert.ok(problems.every(p => !/broken as published/.test(p)), problems.join('\n'))
  })
})
