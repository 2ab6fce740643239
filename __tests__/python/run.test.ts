import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { localeCharset, pythonEnvironment } from '../../src/python/run.js'

describe('pythonEnvironment', () => {
  it('gives a Python child UTF-8 when the job runs under the C locale or none', () => {
    for (const env of [{ LC_ALL: 'C' }, {}, { LANG: 'POSIX' }, { LC_ALL: 'C', LANG: 'en_US.UTF-8' }, { LANG: 'de_DE.ISO-8859-1' }]) {
      assert.deepEqual(pythonEnvironment({ PATH: '/bin', ...env }), { PATH: '/bin', ...env, LC_ALL: 'C.UTF-8', PYTHONIOENCODING: 'utf-8' }, JSON.stringify(env))
    }
  })

  it('leaves a UTF-8 locale as the job set it', () => {
    for (const env of [{ LANG: 'en_US.UTF-8' }, { LC_ALL: 'C.utf8' }, { LC_ALL: '', LC_CTYPE: 'de_DE.UTF-8', LANG: 'C' }]) {
      assert.deepEqual(pythonEnvironment(env), env, JSON.stringify(env))
    }
  })

  it('resolves the character set as the C library does: LC_ALL, then LC_CTYPE, then LANG', () => {
    assert.equal(localeCharset({ LC_ALL: 'C', LC_CTYPE: 'x.UTF-8', LANG: 'y.UTF-8' }), 'C')
    assert.equal(localeCharset({ LC_CTYPE: 'x.UTF-8', LANG: 'C' }), 'x.UTF-8')
    assert.equal(localeCharset({ LC_ALL: '', LANG: 'y.UTF-8' }), 'y.UTF-8')
    assert.equal(localeCharset({}), 'C')
  })
})
