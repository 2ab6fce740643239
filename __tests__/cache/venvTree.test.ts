import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import type { TarMember } from '../../src/cache/tarReader.js'
import { proofReads, unprovenTree } from '../../src/cache/venvTree.js'
import { VENV_MARKER } from '../../src/python/venv.js'
import { tempDir } from '../fixtures/runAction.js'

const SITE = 'lib/python3.11/site-packages'
const file = (name: string, text: string): TarMember => ({ type: '-', permissions: 'rw-r--r--', mode: 0o644, mtime: '0', name, size: Buffer.byteLength(text), content: Buffer.from(text) })
const row = (name: string, text: string) => `${name},sha256=${createHash('sha256').update(text).digest('base64url')},${Buffer.byteLength(text)}`

/** A venv entry's members, as the action's reading gives them below the venv: a wheel that ships byte code without its source. */
function entry(extra: TarMember[] = [], core = 'shipped byte code'): TarMember[] {
  const record = [row('closed/core.pyc', 'shipped byte code'), row('closed/mod.py', 'x = 1\n'), 'closed/__pycache__/mod.cpython-311.pyc,,', 'closed-1.0.dist-info/RECORD,,', ''].join('\n')
  return [file(VENV_MARKER, 'marker\n'), file(`${SITE}/closed-1.0.dist-info/RECORD`, record), file(`${SITE}/closed/core.pyc`, core), file(`${SITE}/closed/mod.py`, 'x = 1\n'), ...extra]
}

describe('the proof of a venv entry, from its members', () => {
  // No skeleton holds any of these files: each must be proved by a RECORD.
  const reference = path.join(tempDir('nova-dpm-reference-'), 'venv')
  fs.mkdirSync(reference)
  const target = path.join(tempDir('nova-dpm-target-'), 'venv')

  it("takes a wheel's own byte code, listed with its hash, and counts the files it checked as verification does", () => {
    // The compiled byte code pip listed without a hash is not checked; the RECORD does not count itself.
    assert.deepEqual(unprovenTree(entry(), reference, target), {
      unproven: [],
      files: new Map([[path.join(target, SITE, 'closed-1.0.dist-info/RECORD'), { checked: 2, hashed: 2 }]]),
      needsTree: false
    })
  })

  it('refuses byte code pip compiled (listed without a hash), which Python would run in place of the source', () => {
    assert.deepEqual(unprovenTree(entry([file(`${SITE}/closed/__pycache__/mod.cpython-311.pyc`, 'planted')]), reference, target).unproven, [
      `${SITE}/closed/__pycache__/mod.cpython-311.pyc is byte code no RECORD proves, which the action's venv entries never hold`
    ])
  })

  it("refuses a wheel's byte code changed behind its RECORD, hashed by the proof or as the reading arrived", () => {
    const changed = entry([], 'changed byte code')
    const why = ['closed/core.pyc of closed-1.0.dist-info was changed after it was installed (its sha256 differs from the record)']
    assert.deepEqual(unprovenTree(changed, reference, target).unproven, why)
    const digest = (content: Buffer | string) => createHash('sha256').update(content).digest('base64url')
    for (const member of changed) member.sha256 = digest(member.content ?? '')
    assert.deepEqual(unprovenTree(changed, reference, target).unproven, why)
    // The reading's digest is the one compared: the content is not hashed again.
    const read = entry()
    read[2].sha256 = digest('changed byte code')
    assert.deepEqual(unprovenTree(read, reference, target).unproven, why)
  })

  it('keeps in memory only the file lists and what lies outside the distributions in site-packages', () => {
    for (const kept of [`${SITE}/closed-1.0.dist-info/RECORD`, `${SITE}/old-1.0.egg-info/installed-files.txt`, `${SITE}/six.py`, `${SITE}/_virtualenv.pth`, 'bin/activate', 'pyvenv.cfg', 'lib/python2.7/site.py', VENV_MARKER]) {
      assert.equal(proofReads(kept), true, kept)
    }
    for (const digestOnly of [`${SITE}/closed/mod.py`, `${SITE}/closed-1.0.dist-info/METADATA`, `${SITE}/closed-1.0.dist-info/sub/RECORD`, `${SITE}/nova/virt/dpm/driver.py`]) {
      assert.equal(proofReads(digestOnly), false, digestOnly)
    }
  })

  it('reads from the extracted tree a file kept by digest only that a RECORD hashes with another algorithm than SHA-256', () => {
    const text = 'x = 1\n'
    const sha512 = createHash('sha512').update(text).digest('base64url')
    const record = [`closed/mod.py,sha512=${sha512},${text.length}`, 'closed-1.0.dist-info/RECORD,,', ''].join('\n')
    const members = [file(VENV_MARKER, 'marker\n'), file(`${SITE}/closed-1.0.dist-info/RECORD`, record), { ...file(`${SITE}/closed/mod.py`, text), content: undefined }]
    const fromMemory = unprovenTree(members, reference, target)
    assert.equal(fromMemory.needsTree, true)
    const extracted = tempDir('nova-dpm-extracted-')
    fs.mkdirSync(path.join(extracted, SITE, 'closed'), { recursive: true })
    fs.writeFileSync(path.join(extracted, SITE, 'closed', 'mod.py'), text)
    assert.deepEqual(unprovenTree(members, reference, target, extracted).unproven, [])
    fs.writeFileSync(path.join(extracted, SITE, 'closed', 'mod.py'), 'x = 2\n')
    assert.deepEqual(unprovenTree(members, reference, target, extracted).unproven, ['closed/mod.py of closed-1.0.dist-info was changed after it was installed (its sha512 differs from the record)'])
  })
})
