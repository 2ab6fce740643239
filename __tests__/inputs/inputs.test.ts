import assert from 'node:assert/strict'
import * as os from 'node:os'
import { describe, it } from 'node:test'
import { ActionError } from '../../src/errors.js'
import { parseInputs } from '../../src/inputs/inputs.js'

const WORKSPACE = '/home/runner/work/proj/proj'
const parse = (inputs: Record<string, string>) => parseInputs(name => inputs[name] ?? '', WORKSPACE)

describe('input parsing', () => {
  it('fills defaults', () => {
    const c = parse({ release: 'Queens' })
    assert.equal(c.series.name, 'queens')
    assert.equal(c.mode, 'release')
    assert.deepEqual(c.packages, ['nova-dpm'])
    assert.equal(c.constraints, undefined)
    assert.equal(c.repository, undefined)
    assert.equal(c.cache, 'pip')
    assert.equal(c.venv, 'auto')
    assert.equal(c.dryRun, false)
    assert.equal(c.editable, false)
    assert.equal(c.version, undefined)
  })

  it('treats release: master as mode master', () => assert.equal(parse({ release: 'master' }).mode, 'master'))

  it('takes several packages, separated by whitespace, commas or newlines, each once', () => {
    assert.deepEqual(parse({ release: 'queens', package: 'nova-dpm networking-dpm' }).packages, ['nova-dpm', 'networking-dpm'])
    assert.deepEqual(parse({ release: 'queens', package: 'nova-dpm nova' }).packages, ['nova-dpm', 'nova'])
    assert.deepEqual(parse({ release: 'queens', package: 'Neutron' }).packages, ['neutron'])
    assert.deepEqual(parse({ release: 'queens', package: 'networking-dpm,\nnova-dpm, networking-dpm' }).packages, ['networking-dpm', 'nova-dpm'])
  })

  it('reads version as PEP 440 or semver', () => {
    assert.equal(parse({ release: 'pike', version: '~=2.0' }).version, '~=2.0')
    assert.equal(parse({ release: 'pike', version: '^2.0.1' }).version, '>=2.0.1,<3.0.0')
  })

  it('reads constraints as none, URL or file path, made absolute against the workspace', () => {
    assert.deepEqual(parse({ release: 'pike', constraints: 'NONE' }).constraints, { kind: 'none' })
    assert.deepEqual(parse({ release: 'pike', constraints: 'https://h/uc.txt' }).constraints, { kind: 'url', url: 'https://h/uc.txt' })
    assert.deepEqual(parse({ release: 'pike', constraints: 'ci/uc.txt' }).constraints, { kind: 'file', path: `${WORKSPACE}/ci/uc.txt` })
  })

  it('makes every path absolute: relative against the workspace, ~ as the home directory', () => {
    const c = parse({ release: 'pike', 'venv-path': '~/venv', 'config-sample': 'etc/nova-dpm.conf', python: 'bin/python' })
    assert.equal(c.venvPath, `${os.homedir()}/venv`)
    assert.equal(c.configSample, `${WORKSPACE}/etc/nova-dpm.conf`)
    assert.equal(c.python, `${WORKSPACE}/bin/python`)
    assert.equal(parse({ release: 'pike', python: 'python3.6' }).python, 'python3.6')
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
    [{ release: 'queens', package: 'keystone' }, /Input 'package' has an unknown value 'keystone'. Use one of: nova-dpm, networking-dpm, nova, neutron/],
    // A Cyrillic 'о' (U+043E) prints as the Latin 'o': the message spells it out.
    [
      { release: 'queens', package: 'n\u043eva-dpm' },
      /^Input 'package' has an unknown value 'n\\u043eva-dpm': it holds characters outside ASCII \(\\u043e\), which no allowed value has\. Use one of: nova-dpm, networking-dpm, nova, neutron\.$/
    ],
    [{ release: 'queens', version: 'latest' }, /Input 'version' is neither a PEP 440 specifier nor a semver range: 'latest'/],
    [{ release: 'queens', mode: 'stable', version: '3.x' }, /'version' applies to mode 'release' only/],
    [{ release: 'queens', package: 'nova-dpm networking-dpm', version: '3.x' }, /'version' applies to one package; 'package' names nova-dpm, networking-dpm/],
    [{ release: 'queens', package: 'nova-dpm networking-dpm', mode: 'stable', repository: 'https://h/x/nova-dpm' }, /'repository' must contain '\{package\}'/],
    [{ release: 'queens', 'dry-run': 'yes' }, /Input 'dry-run' must be 'true' or 'false', not 'yes'/],
    [{ release: 'queens', editable: 'yes' }, /Input 'editable' must be 'true' or 'false'/],
    [{ release: 'queens', cache: 'always' }, /Input 'cache' has an unknown value 'always'. Use one of: pip, venv, false/],
    [{ release: 'queens', cache: 'venv', venv: 'false' }, /'cache: venv' and 'venv: false' contradict/],
    [{ release: 'queens', 'cache-key-suffix': 'x'.repeat(101) }, /'cache-key-suffix' is 101 characters long.*100 or fewer/],
    [{ release: 'queens', python: '-c' }, /Input 'python' must not start with '-'/],
    [{ release: 'queens', 'venv-path': '-rf' }, /Input 'venv-path' must not start with '-'/],
    [{ release: 'queens', 'venv-path': '/tmp/a\n::set-output name=x::y' }, /Input 'venv-path' contains a line break or another control character: '\/tmp\/a\\n::set-output/],
    [{ release: 'queens', 'config-sample': 'a%0Ab' }, /Input 'config-sample' contains a line break/],
    [{ release: 'queens', retries: 'many' }, /Input 'retries' must be a whole number from 0 to 20, not 'many'/],
    [{ release: 'queens', timeout: '0' }, /Input 'timeout' must be a whole number from 1 to 600/],
    [{ release: 'queens', 'retry-max-time': '-5' }, /Input 'retry-max-time' must be a whole number/],
    [{ release: 'queens', python: '/usr/bin/python3\n--version' }, /Input 'python' contains a line break/]
  ]
  for (const [inputs, message] of errors) {
    it(`refuses ${JSON.stringify(inputs)}`, () => {
      assert.throws(
        () => parse(inputs),
        (e: Error) => e instanceof ActionError && message.test(e.message) && !/\n/.test(e.message)
      )
    })
  }

  it('passes retries and timeout to pip only when set', () => {
    assert.deepEqual(parse({ release: 'queens' }).network, { retries: 3, timeoutSeconds: 30, retryMaxSeconds: 120, pipArgs: [] })
    assert.deepEqual(parse({ release: 'queens', retries: '2', timeout: '5' }).network.pipArgs, ['--retries', '2', '--timeout', '5'])
  })

  it('never echoes URL credentials in errors', () => {
    assert.throws(() => parse({ release: 'queens', 'index-url': 'http://user:s3cret@mirror.example.com/simple' }), (e: Error) => !e.message.includes('s3cret'))
  })
})
