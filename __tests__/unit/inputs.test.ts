import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ActionError } from '../../src/errors.js'
import { credentialsIn, parseInputs, redact } from '../../src/inputs.js'

const parse = (inputs: Record<string, string>) => parseInputs(name => inputs[name] ?? '')

describe('input parsing', () => {
  it('fills defaults', () => {
    const c = parse({ release: 'Queens' })
    assert.equal(c.series.name, 'queens')
    assert.equal(c.mode, 'release')
    assert.equal(c.package, 'nova-dpm')
    assert.deepEqual(c.constraints, { kind: 'default' })
    assert.equal(c.cache, 'pip')
    assert.equal(c.venv, 'auto')
    assert.equal(c.dryRun, false)
    assert.equal(c.versionRange, undefined)
  })

  it('treats release: master as mode master', () => assert.equal(parse({ release: 'master' }).mode, 'master'))

  it('reads constraints as none, URL or file path', () => {
    assert.deepEqual(parse({ release: 'pike', constraints: 'NONE' }).constraints, { kind: 'none' })
    assert.deepEqual(parse({ release: 'pike', constraints: 'https://h/uc.txt' }).constraints, { kind: 'url', url: 'https://h/uc.txt' })
    const file = parse({ release: 'pike', constraints: 'uc.txt' }).constraints
    assert.equal(file.kind, 'file')
  })

  it('allows plain http to loopback, and elsewhere only with allow-insecure', () => {
    assert.doesNotThrow(() => parse({ release: 'pike', 'index-url': 'http://127.0.0.1:8080/simple/' }))
    assert.doesNotThrow(() => parse({ release: 'pike', 'index-url': 'http://mirror.lan/simple/', 'allow-insecure': 'true' }))
  })

  // Every bad input: [inputs, what the message must say]
  const errors: [Record<string, string>, RegExp][] = [
    [{}, /Input 'release' is required/],
    [{ release: 'quens' }, /unknown OpenStack series 'quens'.*Did you mean 'queens'/],
    [{ release: 'queens', mode: 'nightly' }, /Input 'mode' has an unknown value 'nightly'. Use one of: release, stable, master/],
    [{ release: 'queens', mode: 'master' }, /'release: queens' and 'mode: master' contradict.*Use 'release: master'/],
    [{ release: 'master', mode: 'stable' }, /'release: master' and 'mode: stable' contradict/],
    [{ release: 'queens', package: 'nova' }, /Input 'package' has an unknown value 'nova'. Use one of: nova-dpm, networking-dpm/],
    [{ release: 'queens', version: 'latest' }, /Input 'version' is not a valid semver range: 'latest'/],
    [{ release: 'queens', mode: 'stable', version: '3.x' }, /'version' applies to mode 'release' only/],
    [{ release: 'queens', 'dry-run': 'yes' }, /Input 'dry-run' must be 'true' or 'false', not 'yes'/],
    [{ release: 'queens', cache: 'always' }, /Input 'cache' has an unknown value 'always'. Use one of: pip, venv, false/],
    [{ release: 'queens', cache: 'venv', venv: 'false' }, /'cache: venv' and 'venv: false' contradict/],
    [{ release: 'queens', constraints: 'ftp://h/uc.txt' }, /Input 'constraints' has an unsupported scheme 'ftp:'/],
    [{ release: 'queens', constraints: '--index-url=https://evil' }, /Input 'constraints' must not start with '-'/],
    [{ release: 'queens', 'index-url': '--extra-index-url=https://evil' }, /Input 'index-url' must not start with '-'/],
    [{ release: 'queens', 'index-url': 'gopher://h/' }, /Input 'index-url' has an unsupported scheme 'gopher:'/],
    [{ release: 'queens', 'index-url': 'http://mirror.example.com/simple' }, /Input 'index-url' uses plain http to mirror.example.com.*allow-insecure: true/],
    [{ release: 'queens', repository: '--upload-pack=touch x' }, /Input 'repository' must not start with '-'/],
    [{ release: 'queens', repository: 'ftp://h/repo.git' }, /Input 'repository' has an unsupported scheme 'ftp:'/],
    [{ release: 'queens', python: '-c' }, /Input 'python' must not start with '-'/],
    [{ release: 'queens', 'venv-path': '-rf' }, /Input 'venv-path' must not start with '-'/],
    [{ release: 'queens', 'venv-path': '/tmp/a"b' }, /Input 'venv-path' must not contain double quotes or line breaks/],
    [{ release: 'queens', retries: 'many' }, /Input 'retries' must be a whole number from 0 to 20, not 'many'/],
    [{ release: 'queens', timeout: '0' }, /Input 'timeout' must be a whole number from 1 to 600/],
    [{ release: 'queens', 'retry-max-time': '-5' }, /Input 'retry-max-time' must be a whole number/],
    [{ release: 'queens', python: '/usr/bin/python3\n--version' }, /Input 'python' must not contain double quotes or line breaks/]
  ]
  for (const [inputs, message] of errors) {
    it(`refuses ${JSON.stringify(inputs)}`, () => {
      assert.throws(() => parse(inputs), (e: Error) => e instanceof ActionError && message.test(e.message))
    })
  }

  it('passes retries and timeout to pip only when set', () => {
    assert.deepEqual(parse({ release: 'queens' }).network, { retries: 3, timeoutSeconds: 30, retryMaxSeconds: 120, pipArgs: [] })
    assert.deepEqual(parse({ release: 'queens', retries: '2', timeout: '5' }).network.pipArgs, ['--retries', '2', '--timeout', '5'])
  })

  it('finds the secrets to mask: passwords, and http(s) user names, not ssh users', () => {
    const config = parse({
      release: 'queens',
      mode: 'stable',
      'index-url': 'https://ci:p%40ss@mirror.example.com/simple',
      repository: 'ssh://git@review.example.com/x/nova-dpm',
      constraints: 'https://TOKEN123@files.example.com/uc.txt'
    })
    assert.deepEqual(credentialsIn(config).sort(), ['TOKEN123', 'ci', 'p@ss'])
    assert.deepEqual(credentialsIn(parse({ release: 'queens' })), [])
  })

  it('never echoes URL credentials in errors', () => {
    assert.throws(() => parse({ release: 'queens', 'index-url': 'http://user:s3cret@mirror.example.com/simple' }), (e: Error) => !e.message.includes('s3cret'))
    assert.equal(redact('https://user:tok@h/x'), 'https://***@h/x')
  })
})
