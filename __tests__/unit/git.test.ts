import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseLsRemote, pickRef } from '../../src/git.js'

const LS_REMOTE = `aaaa\trefs/heads/master
bbbb\trefs/heads/stable/queens
cccc\trefs/tags/ocata-eol
dddd\trefs/tags/ocata-eol^{}
eeee\trefs/tags/3.0.0
`

describe('git refs', () => {
  it('maps annotated tags to the commit they point at', () => {
    const refs = parseLsRemote(LS_REMOTE)
    assert.equal(refs.get('refs/tags/ocata-eol'), 'dddd')
    assert.equal(refs.get('refs/tags/3.0.0'), 'eeee')
    assert.equal(refs.get('refs/heads/stable/queens'), 'bbbb')
  })

  it('prefers the stable branch, then the eol tag', () => {
    const refs = parseLsRemote(LS_REMOTE)
    assert.deepEqual(pickRef(refs, ['refs/heads/stable/queens', 'refs/tags/queens-eol']), { ref: 'refs/heads/stable/queens', sha: 'bbbb' })
    assert.deepEqual(pickRef(refs, ['refs/heads/stable/ocata', 'refs/tags/ocata-eol']), { ref: 'refs/tags/ocata-eol', sha: 'dddd' })
    assert.equal(pickRef(refs, ['refs/heads/stable/rocky', 'refs/tags/rocky-eol']), undefined)
  })
})
