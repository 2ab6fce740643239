import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ActionError } from '../../src/errors.js'
import { readTextFile } from '../../src/io/files.js'
import { parseRequirements, requirementLines, type Requirement } from '../../src/source/requirements.js'

let root: string
const read = (file: string) => readTextFile(file, 'requirements file')
const parse = (text: string, editable = false) => parseRequirements(text, { baseDir: path.join(root, 'ws'), editable, readFile: read })
const ws = (...parts: string[]) => path.join(root, 'ws', ...parts)

function write(relative: string, text: string): string {
  const file = path.join(root, relative)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
  return file
}

/** The ActionError a parse throws, for its message. */
function refusal(text: string): string {
  try {
    parse(text)
  } catch (error) {
    assert.ok(error instanceof ActionError, `expected an ActionError, got ${String(error)}`)
    assert.doesNotMatch(error.message, /[\r\n]/)
    return error.message
  }
  assert.fail(`expected ${JSON.stringify(text)} to be refused`)
}

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'requirements-'))
  fs.mkdirSync(path.join(root, 'ws'))
})
after(() => fs.rmSync(root, { recursive: true, force: true }))

describe('parseRequirements', { timeout: 10_000 }, () => {
  test('specifiers keep their text and take their name by PEP 508', () => {
    assert.deepEqual(parse('pytest\nzhmcclient>=0.18; python_version>="3"\nFoo.Bar_baz[test] >= 1.0\nos-dpm (>=1.0)\n'), [
      { kind: 'specifier', text: 'pytest', name: 'pytest' },
      { kind: 'specifier', text: 'zhmcclient>=0.18; python_version>="3"', name: 'zhmcclient' },
      { kind: 'specifier', text: 'Foo.Bar_baz[test] >= 1.0', name: 'Foo.Bar_baz' },
      { kind: 'specifier', text: 'os-dpm (>=1.0)', name: 'os-dpm' }
    ])
  })

  test('comments, blank lines, CRLF and continuations as pip reads them', () => {
    const text = '# a comment\r\n\r\npytest  # trailing\r\nzhmcclient \\\r\n  >=0.18\r\n  \t\r\nmock \\\n# a comment ends the continuation\nsix\n'
    assert.deepEqual(
      parse(text).map(r => (r.kind === 'specifier' ? r.text : r.kind)),
      ['pytest', 'zhmcclient   >=0.18', 'mock', 'six']
    )
  })

  test("a URL's #egg= fragment is not a comment", () => {
    assert.deepEqual(parse('git+https://opendev.org/x/nova-dpm.git@stable/queens#egg=nova-dpm # the driver'), [
      { kind: 'url', url: 'git+https://opendev.org/x/nova-dpm.git@stable/queens#egg=nova-dpm', name: 'nova-dpm', editable: false }
    ])
  })

  test('local paths become absolute against the workspace; editable by -e or the editable option', () => {
    const text = '.\n./lib\n../sibling\n/abs/project\n-e ./tools\n--editable=./docs\n.[test]\n./dist/nova_dpm-3.0.0-py3-none-any.whl\n'
    const expected = (editable: boolean): Requirement[] => [
      { kind: 'path', path: ws(), editable },
      { kind: 'path', path: ws('lib'), editable },
      { kind: 'path', path: path.join(root, 'sibling'), editable },
      { kind: 'path', path: '/abs/project', editable },
      { kind: 'path', path: ws('tools'), editable: true },
      { kind: 'path', path: ws('docs'), editable: true },
      { kind: 'path', path: ws(), editable, extras: '[test]' },
      // A distribution file is never editable.
      { kind: 'path', path: ws('dist', 'nova_dpm-3.0.0-py3-none-any.whl'), editable: false }
    ]
    assert.deepEqual(parse(text), expected(false))
    assert.deepEqual(parse(text, true), expected(true))
  })

  test('URLs: VCS with #egg, wheels, direct references, file: URLs, editable VCS', () => {
    assert.deepEqual(
      parse(
        'https://files.example.org/nova_dpm-3.0.0-py3-none-any.whl\n' +
          'nova-dpm @ https://files.example.org/nova-dpm-3.0.0.tar.gz\n' +
          `file://${ws('lib')}\n` +
          '-e git+https://opendev.org/x/networking-dpm.git#egg=networking-dpm\n' +
          'git+https://opendev.org/x/nova-dpm.git\n'
      ),
      [
        { kind: 'url', url: 'https://files.example.org/nova_dpm-3.0.0-py3-none-any.whl', name: 'nova_dpm', editable: false },
        { kind: 'url', url: 'https://files.example.org/nova-dpm-3.0.0.tar.gz', name: 'nova-dpm', editable: false },
        { kind: 'path', path: ws('lib'), editable: false },
        { kind: 'url', url: 'git+https://opendev.org/x/networking-dpm.git#egg=networking-dpm', name: 'networking-dpm', editable: true },
        { kind: 'url', url: 'git+https://opendev.org/x/nova-dpm.git', editable: false }
      ]
    )
  })

  test("-r files are read by the action, '-r' paths relative to the file that names them, project paths to the workspace", () => {
    write('ws/ci/requirements.txt', '-r ../common.txt\n--requirement=extra/more.txt\n-e .\n')
    write('ws/common.txt', 'pytest\n')
    write('ws/ci/extra/more.txt', 'mock>=2\n./plugins\n')
    assert.deepEqual(parse('zhmcclient\n-r ci/requirements.txt\n-rci/extra/more.txt'), [
      { kind: 'specifier', text: 'zhmcclient', name: 'zhmcclient' },
      { kind: 'specifier', text: 'pytest', name: 'pytest' },
      { kind: 'specifier', text: 'mock>=2', name: 'mock' },
      { kind: 'path', path: ws('plugins'), editable: false },
      { kind: 'path', path: ws(), editable: true },
      { kind: 'specifier', text: 'mock>=2', name: 'mock' },
      { kind: 'path', path: ws('plugins'), editable: false }
    ])
  })

  test('a -r loop is refused, naming the chain', () => {
    write('ws/loop/a.txt', 'pytest\n-r b.txt\n')
    write('ws/loop/b.txt', '\n\n-r a.txt\n')
    const message = refusal('-r loop/a.txt')
    assert.match(message, /^requirements file '.*\/loop\/b\.txt', line 3: requirements file '.*\/loop\/a\.txt' includes itself/)
    assert.match(message, /a\.txt' → '.*b\.txt' → '.*a\.txt'/)
  })

  test('-r nesting is bounded', () => {
    for (let i = 0; i < 12; i++) write(`ws/deep/${i}.txt`, `-r ${i + 1}.txt\n`)
    write('ws/deep/12.txt', 'pytest\n')
    assert.match(refusal('-r deep/0.txt'), /nest deeper than 8 levels/)
  })

  test('a -r file that cannot be read is named with the line that names it', () => {
    assert.match(refusal('pytest\n-r missing.txt'), /^input 'requirements', line 2: requirements file '.*\/ws\/missing\.txt' does not exist/)
    fs.mkdirSync(ws('a-dir'), { recursive: true })
    assert.match(refusal('-r a-dir'), /is a directory, not a regular file/)
    assert.match(refusal('-r https://example.org/requirements.txt'), /names a URL\. Only local requirements files are read/)
  })

  // The line as the error quotes it: up to a value ('=', ':'), which may be a credential.
  const options: [string, RegExp, string?][] = [
    ['--index-url https://mirror.example.org/simple', /package index itself: use the input 'index-url'/],
    ['-i https://mirror.example.org/simple', /input 'index-url'/],
    ['--extra-index-url=https://mirror.example.org/simple', /input 'index-url'/, '--extra-index-url…'],
    ['-f ./wheels', /input 'index-url'/],
    ['--find-links ./wheels', /input 'index-url'/],
    ['--trusted-host mirror.example.org', /input 'index-url'/],
    ['--no-index', /input 'index-url'/],
    ['-c constraints.txt', /constraints itself: use the input 'constraints'/],
    ['--constraint constraints.txt', /input 'constraints'/],
    ['--pre', /pip options are not taken from 'requirements'/],
    ['--no-binary :all:', /pip options are not taken/, '--no-binary…'],
    ['--only-binary=:all:', /pip options are not taken/, '--only-binary…'],
    ['--some-future-option', /is not accepted/]
  ]
  for (const [line, why, quoted = line] of options) {
    test(`option refused: ${line}`, () => {
      const escaped = quoted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      assert.match(refusal(`pytest\n\n${line}\n`), new RegExp(`^input 'requirements', line 3: '${escaped}' is not accepted: `))
      assert.match(refusal(`pytest\n\n${line}\n`), why)
    })
  }

  test('an option in a -r file is refused with that file and its line', () => {
    const file = write('ws/with-index.txt', 'pytest\n# mirror\n--index-url https://user:secret@mirror.example.org/simple\n')
    const message = refusal('-r with-index.txt')
    assert.ok(message.startsWith(`requirements file '${file}', line 3: `), message)
    assert.doesNotMatch(message, /secret/)
  })

  test('a -r file holding credentials is quoted only as far as its shape', () => {
    const netrc = write('ws/netrc.txt', '# deploy\nmachine pypi.example.org login deploy password hunter2\n')
    assert.equal(
      refusal('-r netrc.txt'),
      `requirements file '${netrc}', line 2: 'machine pypi.example.org…' is not a requirement: write a project name with an optional version (nova-dpm>=3), a local path ('.', './lib'), a URL, '-r <file>' or '-e <path>'.`
    )
    write('ws/.env', 'ACTIONS_RUNTIME_TOKEN=eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9\n')
    assert.match(refusal('-r .env'), /, line 1: an unquoted NAME=value assignment is not a requirement: /)
    write('ws/token.txt', 'Xk9QmW2rT7vB4nL8pZ3cQ1 # a token alone is a valid name; a second word is not\nXk9QmW2rT7vB4nL8pZ3cQ1 Xk9QmW2rT7vB4nL8pZ3cQ1\n')
    assert.match(refusal('-r token.txt'), /, line 2: an unquoted line that may hold a secret is not a requirement: /)
    write('ws/url.txt', 'pytest\nhttps://deploy:s3cr3t@pypi.example.org/x.whl?token=abc ; python_version>"3"\n')
    const url = refusal('-r url.txt')
    assert.match(url, /, line 2: 'https:\/\/\*\*\*@pypi\.example\.org\/x\.whl\?…' /)
    assert.doesNotMatch(url, /deploy|s3cr3t|abc/)
    assert.doesNotMatch(refusal('-r https://deploy:s3cr3t@example.org/r.txt?token=abc'), /deploy|s3cr3t|abc/)
  })

  test('an ordinary bad line still shows enough to find it', () => {
    assert.match(refusal('pytest\nnova-dpm>=1,<2 --hash'), /^input 'requirements', line 2: 'nova-dpm>=1,<2 --hash' carries pip options/)
    const file = write('ws/x.txt', '-e ../x-1.0.tar.gz\n')
    assert.equal(refusal('-r x.txt'), `requirements file '${file}', line 1: '-e ../x-1.0.tar.gz' names a distribution file; only a project directory can be installed editable.`)
  })

  test('control characters are refused, raw or percent-encoded', () => {
    assert.match(refusal('pytest\u0007'), /line 1: .* holds a control character/)
    assert.match(refusal('pytest\rzhmcclient'), /holds a control character/)
    assert.match(refusal('pytest\n\u001b[31mred'), /line 2: .* holds a control character/)
    assert.match(refusal('https://example.org/x%0a.whl'), /holds a control character/)
    assert.match(refusal('pytest\u2028six'), /holds a control character/)
  })

  test('what is not a requirement is refused and says what is', () => {
    assert.match(refusal('not a requirement!'), /is not a requirement: write a project name/)
    assert.match(refusal('-e pytest'), /-e takes a local project directory \(write '\.\/name'/)
    assert.match(refusal('-e https://example.org/x-1.0.tar.gz'), /version-control URL/)
    assert.match(refusal('-e ./dist/x-1.0-py3-none-any.whl'), /only a project directory can be installed editable/)
    assert.match(refusal('nova-dpm==3.0.0 --hash=sha256:abc'), /carries pip options/)
    assert.match(refusal('git+https://example.org/x.git#egg=x ; python_version>"3"'), /markers; they are supported on requirement specifiers only/)
    assert.match(refusal('./lib; python_version>"3"'), /not on local paths/)
    assert.match(refusal('git+git@github.com:org/x.git'), /git\+https:\/\/… or git\+ssh/)
    assert.match(refusal('${HOME}/project'), /environment variable/)
    assert.match(refusal('-r'), /names no file/)
    assert.match(refusal('git+https://example.org/x.git#egg=-bad-'), /not a valid project name/)
  })
})

describe('requirementLines', { timeout: 10_000 }, () => {
  test('one line per requirement, duplicates dropped', () => {
    const reqs = parse('pytest\n./lib\n-e ./tools\nnova-dpm @ https://x.example/nova-dpm-3.0.0.tar.gz\n-e git+https://x.example/y.git#egg=y\npytest\n.[test]\n')
    assert.deepEqual(requirementLines(reqs), [
      'pytest',
      ws('lib'),
      `-e ${ws('tools')}`,
      'nova-dpm @ https://x.example/nova-dpm-3.0.0.tar.gz',
      '-e git+https://x.example/y.git#egg=y',
      `${ws()}[test]`
    ])
  })

  test('a path pip would misread goes as a file: URL, or quoted after -e', () => {
    assert.deepEqual(
      requirementLines([
        { kind: 'path', path: '/w/my project', editable: false },
        { kind: 'path', path: '/w/my project', editable: true },
        { kind: 'path', path: '/w/a"b$c', editable: true }
      ]),
      ['file:///w/my%20project', '-e "/w/my project"', '-e "/w/a\\"b\\$c"']
    )
  })
})

// pip itself reads the lines: the same projects get installed, whatever their paths hold.
const PIPS: [python: string, pip: string][] = [
  ['3.11.7', '23.2.1'],
  ['3.6.15', '18.1']
]

/**
 * An in-tree PEP 517/660 backend, so that pip 23 builds without fetching
 * setuptools and wheel; pip 18 (no PEP 517) runs the setup.py next to it.
 */
const BACKEND = `import base64, hashlib, os, zipfile


def _wheel(directory, files):
    name = open('name.txt').read().strip()
    info = '%s-1.0.dist-info' % name.replace('-', '_')
    entries = list(files) + [
        (info + '/METADATA', ('Metadata-Version: 2.1\\nName: %s\\nVersion: 1.0\\n' % name).encode()),
        (info + '/WHEEL', b'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n'),
    ]
    record = ['%s,sha256=%s,%d' % (p, base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode(), len(d)) for p, d in entries]
    filename = '%s-1.0-py3-none-any.whl' % name.replace('-', '_')
    with zipfile.ZipFile(os.path.join(directory, filename), 'w') as z:
        for p, d in entries:
            z.writestr(p, d)
        z.writestr(info + '/RECORD', '\\n'.join(record + [info + '/RECORD,,']) + '\\n')
    return filename


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    module = open('name.txt').read().strip().replace('-', '_')
    return _wheel(wheel_directory, [(module + '/__init__.py', b'')])


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    module = open('name.txt').read().strip().replace('-', '_')
    return _wheel(wheel_directory, [('_%s.pth' % module, (os.getcwd() + '\\n').encode())])
`

function writeProject(dir: string, name: string): void {
  const module = name.replace(/-/g, '_')
  fs.mkdirSync(path.join(dir, module), { recursive: true })
  fs.writeFileSync(path.join(dir, module, '__init__.py'), '')
  fs.writeFileSync(path.join(dir, 'name.txt'), `${name}\n`)
  fs.writeFileSync(path.join(dir, '_backend.py'), BACKEND)
  fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[build-system]\nrequires = []\nbuild-backend = "_backend"\nbackend-path = ["."]\n')
  fs.writeFileSync(path.join(dir, 'setup.py'), `from setuptools import setup\nsetup(name='${name}', version='1.0', packages=['${module}'])\n`)
}

function run(program: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, PIP_CONFIG_FILE: '/dev/null' }
  return new Promise(resolve =>
    execFile(program, args, { cwd, env, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, output: `${stdout}\n${stderr}` })
    )
  )
}

describe('pip reads requirementLines', { timeout: 240_000, concurrency: 2 }, () => {
  for (const [version, pipVersion] of PIPS) {
    test(`pip ${pipVersion} installs projects from paths with spaces, plain and editable`, async () => {
      const python = path.join(os.homedir(), '.pyenv', 'versions', version, 'bin', 'python')
      assert.ok(fs.existsSync(python), `this test needs CPython ${version} at ${python}`)
      const dir = fs.mkdtempSync(path.join(root, `pip-${version}-`))
      const venv = path.join(dir, 'venv')
      assert.equal((await run(python, ['-m', 'venv', venv], dir)).code, 0)
      writeProject(path.join(dir, 'the plain-one project'), 'plain-one')
      writeProject(path.join(dir, 'the editable-one project'), 'editable-one')
      const reqs = parseRequirements('./the plain-one project\n-e "./the editable-one project"\n', { baseDir: dir, editable: false, readFile: read })
      const file = path.join(dir, 'requirements.txt')
      fs.writeFileSync(file, requirementLines(reqs).join('\n') + '\n')
      const pip = await run(
        path.join(venv, 'bin', 'python'),
        ['-m', 'pip', 'install', '--no-index', '--no-build-isolation', '--no-deps', '--disable-pip-version-check', '-r', file],
        os.tmpdir()
      )
      assert.equal(pip.code, 0, `${requirementLines(reqs).join('\n')}\n${pip.output}`)
      const list = await run(path.join(venv, 'bin', 'python'), ['-m', 'pip', 'list', '--format=freeze', '--disable-pip-version-check'], dir)
      assert.match(list.output, /^plain-one==1\.0$/m)
      assert.match(list.output, /^editable-one==1\.0$/m)
      const where = await run(path.join(venv, 'bin', 'python'), ['-c', 'import editable_one; print(editable_one.__file__)'], os.tmpdir())
      assert.ok(where.output.includes(path.join(dir, 'the editable-one project')), `editable install points at the source: ${where.output}`)
    })
  }
})
