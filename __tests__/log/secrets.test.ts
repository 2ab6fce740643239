import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { maskSecrets, redact, secretsIn } from '../../src/log/secrets.js'

/** What the runner would read on stdout while `fn` runs. */
function stdoutOf(fn: () => void): string {
  const original = process.stdout.write
  let out = ''
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString()
    return true
  }) as typeof process.stdout.write
  try {
    fn()
  } finally {
    process.stdout.write = original
  }
  return out
}

/** The values the runner is asked to mask, as it will decode them from `::add-mask::` lines. */
function masked(values: (string | undefined)[]): string[] {
  const lines = stdoutOf(() => maskSecrets(values)).split(/\r?\n/).filter(Boolean)
  for (const line of lines) assert.match(line, /^::add-mask::/, `every line is a mask command: ${JSON.stringify(line)}`)
  return lines.map(l => l.slice('::add-mask::'.length).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'))
}

describe('maskSecrets', { timeout: 10_000 }, () => {
  it('masks a password as written, decoded, and with either case of escape', () => {
    const secrets = masked(['https://deploy:p%40ss%2fw0rd@pypi.example.com/simple'])
    for (const s of ['p%40ss%2fw0rd', 'p@ss/w0rd', 'p%40ss%2Fw0rd']) assert.ok(secrets.includes(s), `${s} in ${secrets.join(' ')}`)
    assert.ok(!secrets.includes('deploy'), 'an account name beside a password is not a secret')
  })

  it('masks the user part when it is a token on its own, and the Basic header made from it', () => {
    const secrets = masked(['https://ghp_Z9tokenZ9@github.com/org/nova-dpm'])
    assert.ok(secrets.includes('ghp_Z9tokenZ9'))
    assert.ok(secrets.includes(Buffer.from('ghp_Z9tokenZ9:').toString('base64')))
  })

  it('masks the token of an scp-like address but not its user', () => {
    const secrets = masked(['deploy:t0k3n-s3cret@git.example.com:org/{package}.git'])
    assert.deepEqual(secrets, ['t0k3n-s3cret'])
  })

  it("never masks ssh's git@ user (it would blank every 'git' in the log)", () => {
    assert.deepEqual(masked(['git@github.com:org/nova-dpm.git', 'ssh://git@opendev.org/x/nova-dpm', undefined, '']), [])
  })

  it('masks a password that a URL parser re-encodes (an @ or a space in it)', () => {
    const secrets = masked(['https://u:pa@ss w@host/x'])
    assert.ok(secrets.includes('pa@ss w'))
    assert.ok(secrets.includes('pa%40ss%20w'))
  })

  it('masks a credential hidden by parser leniency: no slashes after https:, or backslashes', () => {
    assert.ok(masked(['https:user:hidden1@host/x']).includes('hidden1'))
    assert.ok(masked(['https:\\\\user:hidden2@host\\x']).includes('hidden2'))
  })

  it('a credential that decodes to a line break cannot forge a workflow command, and line breaks are not masked', () => {
    const secrets = masked(['https://u:ab%0A%3A%3Aset-output%20name=x@host/'])
    assert.ok(secrets.includes('ab%0A%3A%3Aset-output%20name=x'))
    assert.ok(!secrets.some(s => /[\r\n]/.test(s)), 'no decoded form with a line break is handed to the runner')
  })

  it('masks git URLs inside requirement lines', () => {
    assert.ok(masked(['nova-dpm @ git+https://GLPAT123@gitlab.example.com/x/nova-dpm.git@stable/queens']).includes('GLPAT123'))
  })
})

describe('redact', { timeout: 10_000 }, () => {
  it('hides the user info of every URL in a text, leaving the rest readable', () => {
    const text = "fatal: unable to access 'https://user:s3cret@host/x/': then http://TOKEN@127.0.0.1:8080/simple and //u:p@h/"
    assert.equal(redact(text), "fatal: unable to access 'https://***@host/x/': then http://***@127.0.0.1:8080/simple and //***@h/")
  })

  it('hides the whole user info up to the last @ before the host, as URL parsers split it', () => {
    assert.equal(redact('https://a:b@c@host/x'), 'https://***@host/x')
    assert.equal(new URL('https://a:b@c@host/x').hostname, 'host')
  })

  it('reads a value that is one URL whole, white space and all, and still finds URLs inside it', () => {
    assert.equal(redact('https://u:pa@ss w@host/x'), 'https://***@host/x')
    assert.equal(redact('https://host/x?next=https://u:p@evil/'), 'https://host/x?next=https://***@evil/')
  })

  it('hides credentials that lenient parsing would find', () => {
    assert.equal(redact('https:user:pw@host/x'), 'https:***@host/x')
    assert.equal(redact('https:\\\\user:pw@host'), 'https:\\\\***@host')
  })

  it('hides the password of scp-like and ssh addresses but keeps their user', () => {
    assert.equal(redact('clone deploy:t0ken@git.example.com:org/r.git failed'), 'clone deploy:***@git.example.com:org/r.git failed')
    assert.equal(redact('git@github.com:org/r.git'), 'git@github.com:org/r.git')
    assert.equal(redact('ssh://git@opendev.org:29418/x/nova-dpm'), 'ssh://git@opendev.org:29418/x/nova-dpm')
    assert.equal(redact('ssh://git:pw@opendev.org/x'), 'ssh://***@opendev.org/x')
  })

  it('leaves an @ after the host alone (pip refs, e-mail addresses in text)', () => {
    for (const text of ['git+https://opendev.org/x/nova-dpm@stable/queens', 'https://host/a@b', 'mail ops@example.com please']) {
      assert.equal(redact(text), text)
    }
  })

  it('leaves nothing that secretsIn finds', () => {
    const values = [
      'https://user:p%2Fss@host/x',
      'https://TOKEN1@host',
      'deploy:tok3n@host:org/repo',
      'https://a:b@c@host/x',
      'https:u:pw9@host',
      'x git+https://GH_tok@github.com/x.git@main y'
    ]
    for (const value of values) {
      const shown = redact(value)
      const secrets = secretsIn(value)
      assert.ok(secrets.length > 0, value)
      for (const secret of secrets) assert.ok(!shown.includes(secret), `${secret} left in ${shown}`)
    }
  })
})
