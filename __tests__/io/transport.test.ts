import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ActionError } from '../../src/errors.js'
import { checkHop, checkHttpInput, checkRepositoryInput, gitEnvironment, isLoopback, looksLikeUrl } from '../../src/io/transport.js'

const STRICT = { allowInsecure: false }
const INSECURE = { allowInsecure: true }

/** Asserts an ActionError whose message matches every pattern and holds no raw control character. */
function refuses(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ActionError, `an ActionError, not ${String(error)}`)
    for (const p of patterns) assert.match(error.message, p)
    assert.doesNotMatch(error.message, /[\u0000-\u001f]/) // eslint-disable-line no-control-regex
    return true
  })
}

describe('isLoopback', { timeout: 5_000 }, () => {
  it('knows localhost, 127.0.0.0/8 and ::1, and nothing else', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.255.3.9', '[::1]', '::1']) assert.equal(isLoopback(host), true, host)
    for (const host of ['128.0.0.1', '127.0.0.256', '10.0.0.1', 'localhost.evil.example', '127.0.0.1.evil.example', '[::2]', '']) {
      assert.equal(isLoopback(host), false, host)
    }
  })

  it('applies to what the URL parser makes of other spellings', () => {
    assert.equal(isLoopback(new URL('http://0x7f.1/').hostname), true)
    assert.equal(isLoopback(new URL('http://[0:0:0:0:0:0:0:1]/').hostname), true)
  })
})

describe('looksLikeUrl', { timeout: 5_000 }, () => {
  it('tells a scheme from a path or a Windows drive', () => {
    for (const v of ['https://h/x', 'file:///etc/passwd', 'data:text/plain,x', 'javascript:alert(1)']) assert.equal(looksLikeUrl(v), true, v)
    for (const v of ['upper-constraints.txt', './c.txt', '/srv/c.txt', 'C:\\c.txt']) assert.equal(looksLikeUrl(v), false, v)
  })
})

describe('checkHttpInput', { timeout: 5_000 }, () => {
  it('accepts https anywhere and http to this machine, and returns the parsed URL', () => {
    assert.equal(checkHttpInput('constraints', 'https://releases.openstack.org/constraints/upper/queens', STRICT).hostname, 'releases.openstack.org')
    assert.equal(checkHttpInput('index-url', 'http://127.0.0.1:8080/simple', STRICT).port, '8080')
    assert.equal(checkHttpInput('index-url', 'http://[::1]:8080/simple', STRICT).hostname, '[::1]')
  })

  it('refuses plain http to another host unless allow-insecure, and says how to fix it', () => {
    refuses(
      () => checkHttpInput('index-url', 'http://pypi.example.com/simple', STRICT),
      /Input 'index-url' uses plain http to pypi\.example\.com/,
      /allow-insecure: true/
    )
    assert.equal(checkHttpInput('index-url', 'http://pypi.example.com/simple', INSECURE).protocol, 'http:')
  })

  it('refuses every scheme but http(s)', () => {
    for (const [value, scheme] of [
      ['file:///etc/passwd', 'file'],
      ['ftp://mirror.example.com/c.txt', 'ftp'],
      ['data:text/plain,nova-dpm===1.0.0', 'data'],
      ['javascript:alert(1)', 'javascript'],
      ['gopher://127.0.0.1:25/x', 'gopher']
    ]) {
      refuses(() => checkHttpInput('constraints', value, INSECURE), new RegExp(`Input 'constraints' uses the scheme '${scheme}'`), /Only https URLs/)
    }
    refuses(() => checkHttpInput('constraints', 'file:///srv/upper.txt', STRICT), /Name a local file by its plain path/)
  })

  it('refuses control characters, raw or percent-encoded, and shows them escaped', () => {
    refuses(() => checkHttpInput('constraints', 'https://h/x%0A::set-output name=x::y', STRICT), /control character/, /%0A/)
    refuses(() => checkHttpInput('constraints', 'https://h/x%0d', STRICT), /control character/)
    refuses(() => checkHttpInput('constraints', 'https://h/x%00', STRICT), /control character/)
    refuses(() => checkHttpInput('constraints', 'https://h/x\n::warning::forged', STRICT), /control character/, /\\n::warning::forged/)
  })

  it("refuses a leading '-' and unparseable URLs", () => {
    refuses(() => checkHttpInput('index-url', '--extra-index-url=https://evil.example', STRICT), /must not start with '-'/, /Remove the '-'/)
    refuses(() => checkHttpInput('constraints', 'https://', STRICT), /is not a valid URL/, /https:\/\/host\/path/)
    refuses(() => checkHttpInput('constraints', 'http://[::1/x', STRICT), /is not a valid URL/)
  })

  it('refuses spellings that parsers read differently', () => {
    // Node: loopback; Python's urllib: evil.example.
    refuses(() => checkHttpInput('index-url', 'http://127.0.0.1\\@evil.example/simple', STRICT), /backslash/)
    refuses(() => checkHttpInput('index-url', 'http:///evil.example/simple', INSECURE), /scheme:\/\/host\/path/)
    refuses(() => checkHttpInput('index-url', 'https:evil.example/simple', INSECURE), /scheme:\/\/host\/path/)
    refuses(() => checkHttpInput('index-url', 'https://a@b@127.0.0.1/simple', STRICT), /more than one '@'/, /%40/)
    refuses(() => checkHttpInput('constraints', 'https://h/a b.txt', STRICT), /white space/, /%20/)
  })

  it('never shows the credentials of the value it refuses', () => {
    for (const value of ['ftp://deploy:s3cr3t@mirror.example.com/c', 'http://TOKEN_s3cr3t@pypi.example.com/simple', 'https://u:s3cr3t@h/x%0a']) {
      assert.throws(
        () => checkHttpInput('index-url', value, STRICT),
        (e: Error) => !e.message.includes('s3cr3t') && e.message.includes('***@')
      )
    }
  })
})

describe('checkRepositoryInput', { timeout: 5_000 }, () => {
  it('accepts https, loopback http, ssh, scp-like, file URLs and paths', () => {
    for (const value of [
      'https://opendev.org/x/{package}',
      'http://127.0.0.1:8080/git/{package}.git',
      'ssh://git@opendev.org:29418/x/{package}',
      'git@github.com:org/{package}.git',
      'file:///srv/git/{package}',
      '/srv/git/{package}',
      './repos/{package}',
      '../{package}'
    ]) {
      assert.doesNotThrow(() => checkRepositoryInput('repository', value, STRICT), value)
    }
    assert.doesNotThrow(() => checkRepositoryInput('repository', 'http://git.example.com/{package}', INSECURE))
  })

  it('refuses git:// and plain http to another host', () => {
    refuses(() => checkRepositoryInput('repository', 'git://git.example.com/{package}', INSECURE), /git:\/\//, /neither authentication nor encryption/)
    refuses(() => checkRepositoryInput('repository', 'http://git.example.com/{package}', STRICT), /plain http/, /allow-insecure/)
    refuses(() => checkRepositoryInput('repository', 'ftp://git.example.com/{package}', INSECURE), /scheme 'ftp'/)
  })

  it('refuses every remote-helper form, which would have git run a program', () => {
    for (const value of ['ext::sh -c touch% /tmp/pwned', 'fd::3', 'https::http://git.example.com/x', 'fake-helper::anything', 'EXT::sh']) {
      refuses(() => checkRepositoryInput('repository', value, INSECURE), /remote-helper syntax/, /Use an https:\/\/ or ssh:\/\/ URL/)
    }
  })

  it("refuses a leading '-' and ssh users or hosts that ssh would read as options", () => {
    refuses(() => checkRepositoryInput('repository', '--upload-pack=touch /tmp/pwned', STRICT), /must not start with '-'/)
    refuses(() => checkRepositoryInput('repository', 'ssh://-oProxyCommand=touch%20x/repo', STRICT), /starts with '-'/)
    refuses(() => checkRepositoryInput('repository', 'ssh://-l@host/repo', STRICT), /starts with '-'/)
    refuses(() => checkRepositoryInput('repository', 'user@-oProxyCommand=x:repo', STRICT), /starts with '-'/)
    refuses(() => checkRepositoryInput('repository', '[-oProxyCommand=x]:repo', STRICT), /starts with '-'/)
  })

  it('refuses control characters', () => {
    refuses(() => checkRepositoryInput('repository', 'https://h/x%0A', STRICT), /control character/)
    refuses(() => checkRepositoryInput('repository', './x\ny', STRICT), /control character/, /\\n/)
  })
})

describe('checkHop', { timeout: 5_000 }, () => {
  const u = (s: string) => new URL(s)

  it('lets https go anywhere over https, and loopback http to loopback', () => {
    assert.doesNotThrow(() => checkHop(undefined, u('https://releases.openstack.org/x'), STRICT))
    assert.doesNotThrow(() => checkHop(u('https://releases.openstack.org/x'), u('https://opendev.org/y'), STRICT))
    assert.doesNotThrow(() => checkHop(u('http://127.0.0.1:1/x'), u('http://localhost:2/y'), STRICT))
  })

  it('refuses a hop to anything but http(s)', () => {
    refuses(() => checkHop(u('https://h/x'), u('file:///etc/passwd'), INSECURE), /redirects to 'file:\/\/\/etc\/passwd'/, /never a file URL/)
    refuses(() => checkHop(undefined, u('ftp://h/x'), INSECURE), /Refusing to fetch/, /never a ftp URL/)
  })

  it('refuses https to http, even with allow-insecure', () => {
    refuses(() => checkHop(u('https://h/x'), u('http://h/x'), INSECURE), /downgrade from https to plain http/)
    refuses(() => checkHop(u('https://127.0.0.1/x'), u('http://127.0.0.1/x'), INSECURE), /downgrade/)
  })

  it('refuses a loopback server sending us to another host', () => {
    const hop = () => checkHop(u('http://127.0.0.1:1/x'), u('https://evil.example/x'), INSECURE)
    refuses(hop, /a server on this machine may not send the action to another host/)
  })

  it('applies the http rule to every hop', () => {
    refuses(() => checkHop(undefined, u('http://h.example/x'), STRICT), /plain http to h\.example/, /allow-insecure/)
    refuses(() => checkHop(u('http://a.example/x'), u('http://b.example/x'), STRICT), /plain http to b\.example/)
    assert.doesNotThrow(() => checkHop(u('http://a.example/x'), u('http://b.example/x'), INSECURE))
  })

  it('shows the hops without their credentials', () => {
    assert.throws(
      () => checkHop(u('https://u:s3cr3t@h/x'), u('http://u:s3cr3t@h/x'), STRICT),
      (e: Error) => !e.message.includes('s3cr3t')
    )
  })
})

describe('gitEnvironment', { timeout: 5_000 }, () => {
  it('allows https, ssh and file, never ext, fd or git://, and no prompts', () => {
    const env = gitEnvironment(STRICT, 30, { env: {} })
    assert.equal(env.GIT_ALLOW_PROTOCOL, 'https:ssh:file')
    assert.equal(env.GIT_TERMINAL_PROMPT, '0')
    assert.match(env.GIT_SSH_COMMAND, /^ssh -o BatchMode=yes -o ConnectTimeout=30 /)
  })

  it('bounds stalled transfers by the timeout', () => {
    const env = gitEnvironment(STRICT, 45, { env: {} })
    assert.equal(env.GIT_HTTP_LOW_SPEED_TIME, '45')
    assert.equal(env.GIT_HTTP_LOW_SPEED_LIMIT, '1024')
    assert.match(env.GIT_SSH_COMMAND, /ServerAliveInterval=15 -o ServerAliveCountMax=3/)
  })

  it('allows http only with allow-insecure or for a repository already checked to use it', () => {
    assert.equal(gitEnvironment(INSECURE, 30, { env: {} }).GIT_ALLOW_PROTOCOL, 'https:ssh:file:http')
    assert.equal(gitEnvironment(STRICT, 30, { env: {}, repositories: ['http://127.0.0.1:9/x.git'] }).GIT_ALLOW_PROTOCOL, 'https:ssh:file:http')
    assert.equal(gitEnvironment(STRICT, 30, { env: {}, repositories: ['git+http://127.0.0.1:9/x.git'] }).GIT_ALLOW_PROTOCOL, 'https:ssh:file:http')
    assert.equal(gitEnvironment(STRICT, 30, { env: {}, repositories: ['https://h/x', '/srv/x'] }).GIT_ALLOW_PROTOCOL, 'https:ssh:file')
  })

  it("keeps the user's ssh command, adding our options, and leaves a GIT_SSH program alone", () => {
    assert.match(gitEnvironment(STRICT, 10, { env: { GIT_SSH_COMMAND: 'ssh -i /keys/deploy' } }).GIT_SSH_COMMAND, /^ssh -i \/keys\/deploy -o BatchMode=yes /)
    assert.equal(gitEnvironment(STRICT, 10, { env: { GIT_SSH: '/usr/local/bin/my-ssh' } }).GIT_SSH_COMMAND, undefined)
  })
})
