import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { quotedLine } from '../../src/log/excerpt.js'

describe('quotedLine', { timeout: 10_000 }, () => {
  it('quotes an ordinary bad line whole, enough to find it', () => {
    assert.equal(quotedLine('nova-dpm>=1,<2 --hash'), "'nova-dpm>=1,<2 --hash'")
    assert.equal(quotedLine('  -e ../x  '), "'-e ../x'")
    assert.equal(quotedLine("six===1.10.0;python_version=='2.7'"), "'six===1.10.0;python_version=='2.7''")
    assert.equal(quotedLine('--index-url https://mirror.example.org/simple'), "'--index-url https://mirror.example.org/simple'")
  })

  it('stops before a value: an assignment, a colon', () => {
    assert.equal(quotedLine('nova-dpm==3.0.0 --hash=sha256:0123abcd'), "'nova-dpm==3.0.0 --hash…'")
    assert.equal(quotedLine('--only-binary=:all:'), "'--only-binary…'")
    assert.equal(quotedLine('root:x:0:0:root:/root:/bin/bash'), "'root…'")
    assert.equal(quotedLine('export PIP_INDEX=https://h/simple'), "'export PIP_INDEX…'")
  })

  it('shows a netrc line only up to its credentials', () => {
    assert.equal(quotedLine('machine pypi.example.org login deploy password hunter2'), "'machine pypi.example.org…'")
    assert.equal(quotedLine('  password hunter2'), 'an unquoted line that may hold a secret')
    assert.equal(quotedLine('login deploy'), 'an unquoted line that may hold a secret')
  })

  it('quotes nothing of a dotenv line that names a credential', () => {
    for (const line of ['ACTIONS_RUNTIME_TOKEN=eyJ0eXAiOiJKV1QiLCJhbGc', 'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'DB_PASSWORD=hunter2']) {
      assert.equal(quotedLine(line), 'an unquoted NAME=value assignment')
    }
    assert.equal(quotedLine('export GITHUB_TOKEN=ghp_abc'), "'export…'")
  })

  it('stops before a long random-looking word', () => {
    assert.equal(quotedLine('deploy ghp_Z9x8Y7w6V5u4T3s2R1q0P9o8N7m6'), "'deploy ghp_…'")
    assert.equal(quotedLine('Xk9QmW2rT7vB4nL8pZ3c'), 'an unquoted line that may hold a secret')
    assert.equal(quotedLine('aBcDeFgHiJkLmNoPqRsT'), 'an unquoted line that may hold a secret')
    // Long words of one kind, and CamelCase, are words.
    assert.equal(quotedLine('networkingdpmagent NetworkingDpmAgentService 20240101123456'), "'networkingdpmagent NetworkingDpmAgentService 20240101123456'")
  })

  it('redacts a URL’s user info before quoting', () => {
    assert.equal(quotedLine('https://deploy:s3cr3t@pypi.example.org/simple/x'), "'https://***@pypi.example.org/simple/x'")
    assert.equal(quotedLine('git+https://tok@example.org/x.git'), "'git+https://***@example.org/x.git'")
    assert.equal(quotedLine('deploy:s3cr3t@pypi.example.org'), "'deploy…'")
  })

  it('bounds a long line, and escapes control characters', () => {
    const long = `${'word '.repeat(30)}end`
    assert.equal(quotedLine(long), `'${long.slice(0, 60).trimEnd()}…'`)
    assert.equal(quotedLine('bad \u001b[31m\u2028x'), "'bad \\u001b[31m\\u2028x'")
  })
})
