/**
 * Every failure class from a real pip run: pip 23.2 (Python 3.11), 19.2.3
 * (2.7) and 18.1 (3.6) install from a PEP 503 index on 127.0.0.1 whose
 * paths select a behaviour (`/ok/`, `/s503/`, `/s401/`…), local projects
 * whose builds fail, and git repositories on disk.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { strToU8, zipSync } from 'fflate'
import { explainPipFailure, type PipFailureContext, type PipFailureKind } from '../../src/python/pipFailure.js'

const PYENV = path.join(os.homedir(), '.pyenv', 'versions')
const PIP_TIMEOUT_MS = 120_000

// --- a loopback index ---------------------------------------------------------

interface Dist {
  name: string
  version: string
  requires?: string[]
  /** Requires-Python in the wheel's METADATA. */
  requiresPython?: string
  /** Also announce Requires-Python on the index page (data-requires-python), as PyPI does. */
  announce?: boolean
  files?: Record<string, string>
  /** Serve bytes that are not a zip archive under the wheel's name. */
  corrupt?: boolean
  /** The wheel's one tag, instead of py2.py3-none-any. */
  tag?: string
}

/** A pure-Python py2.py3 wheel (PEP 427) with a RECORD of real hashes. */
function wheel(d: Dist): { file: string; data: Uint8Array } {
  const module = d.name.replace(/[-.]/g, '_').toLowerCase()
  const file = `${module}-${d.version}-${d.tag ?? 'py2.py3-none-any'}.whl`
  if (d.corrupt) return { file, data: strToU8('this is not a zip archive\n') }
  const info = `${module}-${d.version}.dist-info`
  const files: Record<string, Uint8Array> = { [`${module}/__init__.py`]: strToU8(`__version__ = '${d.version}'\n`) }
  for (const [name, content] of Object.entries(d.files ?? {})) files[name] = strToU8(content)
  const metadata = ['Metadata-Version: 2.1', `Name: ${d.name}`, `Version: ${d.version}`]
  if (d.requiresPython) metadata.push(`Requires-Python: ${d.requiresPython}`)
  for (const r of d.requires ?? []) metadata.push(`Requires-Dist: ${r}`)
  files[`${info}/METADATA`] = strToU8(metadata.join('\n') + '\n')
  const tags = d.tag ? [d.tag] : ['py2-none-any', 'py3-none-any']
  files[`${info}/WHEEL`] = strToU8(`Wheel-Version: 1.0\nGenerator: pipFailure-test\nRoot-Is-Purelib: true\n${tags.map(t => `Tag: ${t}\n`).join('')}`)
  const hash = (b: Uint8Array) => `sha256=${createHash('sha256').update(b).digest('base64url')}`
  const record = Object.entries(files).map(([name, b]) => `${name},${hash(b)},${b.length}`)
  files[`${info}/RECORD`] = strToU8([...record, `${info}/RECORD,,`].join('\n') + '\n')
  return { file, data: zipSync(files) }
}

/** A PEP 517 backend (Python 2 and 3) that fails the way a native extension's build does. */
const FAILING_BACKEND = `import sys


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    sys.stderr.write('checking for the zhmc native library... no\\n')
    raise RuntimeError('the zhmc native library is missing: install libzhmc-dev')


build_wheel = prepare_metadata_for_build_wheel
`

const DISTS: Dist[] = [
  { name: 'nova-dpm', version: '2.0.0', requires: ['zhmcclient>=0.20.0'] },
  { name: 'nova-dpm', version: '3.0.0', requires: ['zhmcclient>=0.18.0'] },
  { name: 'zhmcclient', version: '0.18.0' },
  { name: 'zhmcclient', version: '0.20.0' },
  { name: 'os-dpm', version: '1.0.0' },
  { name: 'future-only', version: '1.0', requiresPython: '>=3.99', announce: true },
  { name: 'future-meta', version: '1.0', requiresPython: '>=3.99' },
  { name: 'escaping', version: '1.0', files: { '../escape.py': 'X = 1\n' } },
  { name: 'corrupt', version: '1.0', corrupt: true },
  { name: 'py2-only', version: '1.0', tag: 'py2-none-any' },
  { name: 'failing-backend', version: '1.0', files: { 'failing_backend/__init__.py': FAILING_BACKEND } }
]

/**
 * The first path segment picks the behaviour: `ok` serves, `s503`/`s401`/`s403` answer every request
 * so, `hang` never answers, `f503` serves pages but 503 for files.
 */
async function startIndex(): Promise<{ base: string; close: () => Promise<void> }> {
  const files = new Map<string, Uint8Array>()
  const pages = new Map<string, string[]>()
  for (const d of DISTS) {
    const { file, data } = wheel(d)
    files.set(file, data)
    const key = d.name.toLowerCase().replace(/[-_.]+/g, '-')
    const requiresPython = d.announce && d.requiresPython ? ` data-requires-python="${d.requiresPython.replace(/>/g, '&gt;').replace(/</g, '&lt;')}"` : ''
    const sha = createHash('sha256').update(data).digest('hex')
    pages.set(key, [...(pages.get(key) ?? []), `<a href="../../files/${file}#sha256=${sha}"${requiresPython}>${file}</a>`])
  }
  const server = http.createServer((req, res) => {
    const m = /^\/(\w+)(\/.*)$/.exec(req.url ?? '')
    const [mode, rest] = m ? [m[1], m[2]] : ['', '']
    if (mode === 'hang') return
    if (mode === 's503') return void res.writeHead(503).end('down for maintenance')
    if (mode === 's401') return void res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="index"' }).end()
    if (mode === 's403') return void res.writeHead(403).end()
    const file = /^\/files\/([^/]+)$/.exec(rest)
    if (file && mode === 'f503') return void res.writeHead(503).end()
    if (file && files.has(file[1]) && (mode === 'ok' || mode === 'f503')) {
      return void res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(files.get(file[1]))
    }
    const page = /^\/simple\/([^/]+)\/$/.exec(rest)
    const links = page && pages.get(page[1])
    if (links && (mode === 'ok' || mode === 'f503')) {
      return void res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<!DOCTYPE html><html><body>${links.join('<br>\n')}</body></html>`)
    }
    res.writeHead(404).end()
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = http.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}

// --- processes ----------------------------------------------------------------

interface Run {
  code: number
  output: string
}

/** Only what the child needs: none of this machine's PIP_* settings, no global git or pip configuration. */
function isolatedEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    PIP_CONFIG_FILE: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'test',
    GIT_AUTHOR_EMAIL: 'test@example.invalid',
    GIT_COMMITTER_NAME: 'test',
    GIT_COMMITTER_EMAIL: 'test@example.invalid'
  }
}

/** Runs with no stdin, as the action's process runner does: a prompt meets end of file. */
function run(program: string, args: string[], cwd?: string): Promise<Run> {
  return new Promise(resolve => {
    const child = spawn(program, args, { cwd, env: isolatedEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: PIP_TIMEOUT_MS })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    child.on('close', code => resolve({ code: code ?? -1, output: `${stdout}\n${stderr}` }))
  })
}

async function must(program: string, args: string[], cwd?: string): Promise<string> {
  const result = await run(program, args, cwd)
  assert.equal(result.code, 0, `${program} ${args.join(' ')} failed:\n${result.output}`)
  return result.output
}

interface Pip {
  label: string
  python: string
  pythonVersion: string
  pipVersion: string
}

/** Each pip as the action meets it: a fresh environment of that era's Python with its bundled pip. */
async function makePip(root: string, version: string, pipVersion: string): Promise<Pip> {
  const base = path.join(PYENV, version, 'bin', 'python')
  assert.ok(fs.existsSync(base), `this test needs CPython ${version} at ${base}`)
  const dir = path.join(root, `venv-${version}`)
  if (version.startsWith('2.')) {
    await must('virtualenv', ['-p', base, '--no-seed', dir])
    await must(path.join(dir, 'bin', 'python'), ['-m', 'ensurepip'])
  } else {
    await must(base, ['-m', 'venv', dir])
  }
  const python = path.join(dir, 'bin', 'python')
  const said = await must(python, ['-m', 'pip', '--version'])
  assert.match(said, new RegExp(`^pip ${pipVersion.replace(/\./g, '\\.')} `), `expected pip ${pipVersion} in ${dir}`)
  return { label: `pip ${pipVersion}`, python, pythonVersion: version, pipVersion }
}

interface PipRun extends Run {
  log: string
}

interface PipOptions {
  log?: boolean
  retries?: number
  /** Leave out --no-input: pip prompts for credentials, and meets the end of its stdin. */
  prompt?: boolean
  cwd: string
}

async function pipInstall(pip: Pip, index: string, args: string[], options: PipOptions): Promise<PipRun> {
  const logFile = path.join(fs.mkdtempSync(path.join(options.cwd, 'log-')), 'pip.log')
  const result = await run(
    pip.python,
    [
      '-m', 'pip', 'install', '--no-cache-dir', '--disable-pip-version-check', ...(options.prompt ? [] : ['--no-input']), '--timeout', '2',
      '--retries', String(options.retries ?? 0), '--index-url', index,
      ...(options.log === false ? [] : ['--log', logFile]),
      ...args
    ],
    options.cwd
  )
  return { ...result, log: fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '' }
}

// --- the cases ------------------------------------------------------------------

interface Case {
  title: string
  kind: PipFailureKind
  /** Path mode on the loopback index, or a function of the world for other indexes. */
  index: string | ((w: World) => string)
  args: (w: World) => string[]
  /** Classify without pip's log (console only). */
  noLog?: boolean
  retries?: number
  prompt?: boolean
  constraints?: string
  /** What the message must say (besides the common rules). */
  says: (w: World, pip: Pip) => (string | RegExp)[]
  /** What it must not say. */
  lacks?: string[]
  pips: ('23' | '19' | '18')[]
}

interface World {
  root: string
  base: string
  refusedPort: number
  git: { readme: string; missing: string }
  projects: Record<'backendFails' | 'missingBackend' | 'setupFails' | 'pyprojectOnly' | 'readmeOnly', string>
}

const UNTESTED = 'Python 9.9 is not among the Pythons this series was tested on.'
const CONSTRAINTS = 'nova-dpm===3.0.0\n# a comment\nzhmcclient===0.18.0\n'
const DEPENDENCY_PINS = 'os-dpm===1.0.0\n# a comment\nzhmcclient===0.18.0\n'

const CASES: Case[] = [
  {
    title: 'index unreachable: connection refused',
    kind: 'index-unreachable',
    index: w => `http://127.0.0.1:${w.refusedPort}/simple/`,
    args: () => ['os-dpm'],
    says: w => [`http://127.0.0.1:${w.refusedPort}/simple/os-dpm/`, 'connection was refused', "'index-url'"],
    pips: ['23', '19', '18']
  },
  {
    title: 'index unreachable: connection refused, console only (pip retried once)',
    kind: 'index-unreachable',
    index: w => `http://127.0.0.1:${w.refusedPort}/simple/`,
    args: () => ['os-dpm'],
    noLog: true,
    retries: 1,
    says: w => [`http://127.0.0.1:${w.refusedPort}/simple/os-dpm/`, 'connection was refused'],
    pips: ['23', '19', '18']
  },
  {
    title: 'index unreachable: no answer in time',
    kind: 'index-unreachable',
    index: 'hang',
    args: () => ['os-dpm'],
    says: w => [`${w.base}/hang/simple/os-dpm/`, 'did not answer in time'],
    pips: ['23', '18']
  },
  {
    title: 'index ignored: plain http to a host pip does not trust',
    kind: 'index-unreachable',
    index: () => 'http://pypi.nosuchhost.invalid/simple/',
    args: () => ['os-dpm'],
    says: () => ['http://pypi.nosuchhost.invalid/simple/', 'not marked trusted', 'https'],
    pips: ['23', '19', '18']
  },
  {
    title: 'index answers 503 for the project page',
    kind: 'index-http-error',
    index: 's503',
    args: () => ['os-dpm'],
    says: w => [`${w.base}/s503/simple/os-dpm/`, 'HTTP 503', 're-run later'],
    pips: ['23', '19', '18']
  },
  {
    title: 'index answers 503 for a file',
    kind: 'index-http-error',
    index: 'f503',
    args: () => ['os-dpm'],
    says: w => [`${w.base}/f503/files/os_dpm-1.0.0-py2.py3-none-any.whl`, 'HTTP 503'],
    pips: ['23', '18']
  },
  {
    title: 'index wants credentials (401), the ones given are masked',
    kind: 'authentication',
    index: w => w.base.replace('//', '//deploy:s3cr3t-token@') + '/s401/simple/',
    args: () => ['os-dpm'],
    says: () => ['/s401/simple/os-dpm/', 'HTTP 401', 'credentials'],
    pips: ['23', '19', '18']
  },
  {
    title: 'index wants credentials (401) and pip, without --no-input, tries to prompt',
    kind: 'authentication',
    index: 's401',
    args: () => ['os-dpm'],
    prompt: true,
    says: w => [`${w.base.replace('http://', '')}`, 'credentials', "'index-url'"],
    pips: ['23', '19', '18']
  },
  {
    title: 'index forbids (403)',
    kind: 'authentication',
    index: 's403',
    args: () => ['os-dpm'],
    says: w => [`${w.base}/s403/simple/os-dpm/`, 'HTTP 403'],
    pips: ['23', '19']
  },
  {
    title: 'no such project on the index',
    kind: 'no-such-distribution',
    index: 'ok',
    args: () => ['nova-dmp'],
    says: w => ['"nova-dmp"', `${w.base}/ok/simple/`],
    // pip's log proves the 404.
    lacks: ['did not answer'],
    pips: ['23', '19', '18']
  },
  {
    // Without its log, pip 19 and 23 say of a failing index only that they found nothing: the message cannot claim more.
    title: 'index answers 503, console only: pip does not say so',
    kind: 'no-such-distribution',
    index: 's503',
    args: () => ['os-dpm'],
    noLog: true,
    says: () => ['"os-dpm"', 'or the index did not answer for it: pip says which only in its log'],
    pips: ['23', '19']
  },
  {
    title: 'index answers 503, console only: pip 18 does say so',
    kind: 'index-http-error',
    index: 's503',
    args: () => ['os-dpm'],
    noLog: true,
    says: w => [`${w.base}/s503/simple/os-dpm/`, 'HTTP 503'],
    pips: ['18']
  },
  {
    title: 'no version in the range',
    kind: 'no-matching-version',
    index: 'ok',
    args: () => ['nova-dpm>=9'],
    says: () => ['"nova-dpm>=9"', '2.0.0, 3.0.0'],
    pips: ['23', '19', '18']
  },
  {
    title: 'only wheels for another Python',
    kind: 'no-matching-version',
    index: 'ok',
    args: () => ['py2-only'],
    says: (w, pip) => [`"${w.base}/ok/simple/" has files of "py2-only"`, `none installs on Python ${pip.pythonVersion}`],
    pips: ['23', '18']
  },
  {
    title: 'a requirement against a constraint',
    kind: 'constraint-conflict',
    index: 'ok',
    args: w => ['-c', path.join(w.root, 'constraints.txt'), 'nova-dpm>=4'],
    constraints: CONSTRAINTS,
    says: () => ['nova-dpm>=4', 'line 1 "nova-dpm===3.0.0"'],
    pips: ['23']
  },
  {
    title: 'a dependency against a constraint',
    kind: 'constraint-conflict',
    index: 'ok',
    args: w => ['-c', path.join(w.root, 'dependency-pins.txt'), 'nova-dpm==2.0.0'],
    constraints: DEPENDENCY_PINS,
    says: () => ['nova-dpm 2.0.0 depends on zhmcclient>=0.20.0', 'line 3 "zhmcclient===0.18.0"'],
    pips: ['23']
  },
  {
    title: 'a constraint pins a version the index does not have',
    kind: 'constraint-conflict',
    index: 'ok',
    args: w => ['-c', path.join(w.root, 'missing-pin.txt'), 'zhmcclient'],
    constraints: 'zhmcclient===0.99.0\n',
    says: () => ['zhmcclient===0.99.0', 'line 1'],
    pips: ['23', '19', '18']
  },
  {
    title: 'a source build fails',
    kind: 'build-failure',
    index: 'ok',
    args: w => [w.projects.backendFails],
    says: () => ['"RuntimeError: the zhmc native library is missing: install libzhmc-dev"', UNTESTED],
    pips: ['23', '19']
  },
  {
    title: 'a source build fails, console only',
    kind: 'build-failure',
    index: 'ok',
    args: w => [w.projects.backendFails],
    noLog: true,
    says: () => ['"RuntimeError: the zhmc native library is missing: install libzhmc-dev"'],
    pips: ['23', '19']
  },
  {
    title: 'setup.py fails',
    kind: 'build-failure',
    index: 'ok',
    args: w => [w.projects.setupFails],
    says: () => ['"RuntimeError: the zhmc native library is missing: install libzhmc-dev"'],
    pips: ['19', '18']
  },
  {
    title: 'setup.py fails, console only',
    kind: 'build-failure',
    index: 'ok',
    args: w => [w.projects.setupFails],
    noLog: true,
    says: () => ['"RuntimeError: the zhmc native library is missing: install libzhmc-dev"'],
    pips: ['19', '18']
  },
  {
    title: 'a build requirement is not on the index',
    kind: 'build-failure',
    index: 'ok',
    args: w => [w.projects.missingBackend],
    says: () => ['build requirements', 'no-such-backend>=1.0', UNTESTED],
    pips: ['23', '19', '18']
  },
  {
    title: 'a build requirement is not on the index, console only',
    kind: 'build-failure',
    index: 'ok',
    args: w => [w.projects.missingBackend],
    noLog: true,
    says: () => ['build requirements', 'No matching distribution found for no-such-backend>=1.0'],
    pips: ['23', '19', '18']
  },
  {
    title: 'Requires-Python announced by the index',
    kind: 'python-version',
    index: 'ok',
    args: () => ['future-only'],
    says: (_, pip) => ['"future-only"', '>=3.99', `Python ${pip.pythonVersion}`, "input 'python'"],
    pips: ['23', '19', '18']
  },
  {
    title: 'Requires-Python in the wheel only',
    kind: 'python-version',
    index: 'ok',
    args: () => ['future-meta'],
    says: (_, pip) => ['"future-meta" needs Python >=3.99', `Python ${pip.pythonVersion}`],
    pips: ['23', '19', '18']
  },
  {
    title: 'git: the repository does not exist',
    kind: 'git-fetch',
    index: 'ok',
    args: w => [`git+file://${w.git.missing}#egg=retired-pkg`],
    says: w => [`file://${w.git.missing}`, 'does not appear to be a git repository', "'repository'"],
    pips: ['23', '19', '18']
  },
  {
    title: 'git: the branch does not exist',
    kind: 'git-fetch',
    index: 'ok',
    args: w => [`git+file://${w.git.readme}@stable/nope#egg=retired-pkg`],
    says: () => ['revision stable/nope', "pathspec 'stable/nope' did not match"],
    pips: ['23', '19', '18']
  },
  {
    title: 'git: the server is unreachable',
    kind: 'git-fetch',
    index: 'ok',
    args: w => [`git+http://127.0.0.1:${w.refusedPort}/nova-dpm.git#egg=retired-pkg`],
    says: w => [`http://127.0.0.1:${w.refusedPort}/nova-dpm.git`, 'unable to access'],
    pips: ['23', '18']
  },
  {
    title: 'a git ref holding only a README',
    kind: 'not-a-project',
    index: 'ok',
    args: w => [`git+file://${w.git.readme}@master#egg=retired-pkg`],
    says: w => [w.git.readme, 'neither setup.py nor pyproject.toml', 'retired'],
    pips: ['23', '19', '18']
  },
  {
    title: 'a directory holding only a README',
    kind: 'not-a-project',
    index: 'ok',
    args: w => [w.projects.readmeOnly],
    says: w => [w.projects.readmeOnly, 'neither setup.py nor pyproject.toml'],
    pips: ['23', '19', '18']
  },
  {
    title: 'pip < 19 and a pyproject-only project',
    kind: 'pip-too-old',
    index: 'ok',
    args: w => [w.projects.pyprojectOnly],
    says: () => ['pip 18.1', 'pyproject-only', 'python -m pip install "pip>=19,<21"', '3.6.15'],
    pips: ['18']
  },
  {
    // The same project on pip 19: PEP 517 runs its backend, which fails; not a pip-version problem.
    title: 'pip ≥ 19 builds a pyproject-only project through its backend',
    kind: 'build-failure',
    index: 'ok',
    args: w => [w.projects.pyprojectOnly],
    says: () => ['the zhmc native library is missing'],
    pips: ['23', '19']
  },
  {
    title: 'anything else: a wheel that writes outside its target',
    kind: 'unknown',
    index: 'ok',
    args: () => ['escaping'],
    says: () => ['escape.py', UNTESTED],
    pips: ['23']
  },
  {
    title: 'anything else: a wheel that is not a zip archive',
    kind: 'unknown',
    index: 'ok',
    args: () => ['corrupt'],
    says: () => ['corrupt', UNTESTED],
    pips: ['23', '19', '18']
  }
]

/** Every message: one paragraph, no pip boilerplate, credentials masked. */
function assertCommon(message: string): void {
  assert.doesNotMatch(message, /[\r\n]/)
  assert.doesNotMatch(message, /subprocess-exited-with-error|See above for output|Check the logs for full command output|note: This error originates/)
  assert.doesNotMatch(message, /s3cr3t-token|deploy:/)
}

// --- the run --------------------------------------------------------------------

const PIPS: Record<'23' | '19' | '18', [python: string, pip: string]> = { '23': ['3.11.7', '23.2.1'], '19': ['2.7.18', '19.2.3'], '18': ['3.6.15', '18.1'] }

let world: World
let closeIndex: () => Promise<void>
const pips = new Map<string, Promise<Pip>>()

before(async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pip-failure-'))
  const index = await startIndex()
  closeIndex = index.close
  const project = (name: string, files: Record<string, string>) => {
    const dir = path.join(root, name)
    fs.mkdirSync(dir)
    for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), content)
    return dir
  }
  const backend = (requires: string, backendName: string) => `[build-system]\nrequires = ["${requires}"]\nbuild-backend = "${backendName}"\n`
  const setupFails =
    "import sys\nsys.stderr.write('checking for the zhmc native library... no\\n')\n" +
    "raise RuntimeError('the zhmc native library is missing: install libzhmc-dev')\n"
  const readme = path.join(root, 'retired.git')
  fs.mkdirSync(readme)
  await must('git', ['init', '-q', '-b', 'master'], readme)
  fs.writeFileSync(path.join(readme, 'README'), 'This project is no longer maintained.\n')
  await must('git', ['add', 'README'], readme)
  await must('git', ['commit', '-q', '-m', 'Retire'], readme)
  fs.writeFileSync(path.join(root, 'constraints.txt'), CONSTRAINTS)
  fs.writeFileSync(path.join(root, 'missing-pin.txt'), 'zhmcclient===0.99.0\n')
  fs.writeFileSync(path.join(root, 'dependency-pins.txt'), DEPENDENCY_PINS)
  world = {
    root,
    base: index.base,
    refusedPort: await closedPort(),
    git: { readme, missing: path.join(root, 'missing.git') },
    projects: {
      backendFails: project('backend-fails', { 'pyproject.toml': backend('failing-backend', 'failing_backend') }),
      missingBackend: project('missing-backend', { 'pyproject.toml': backend('no-such-backend>=1.0', 'no_such_backend') }),
      setupFails: project('setup-fails', { 'setup.py': setupFails }),
      pyprojectOnly: project('pyproject-only', {
        'pyproject.toml': `${backend('failing-backend', 'failing_backend')}\n[project]\nname = "pyproject-only"\nversion = "1.0"\n`
      }),
      readmeOnly: project('readme-only', { 'README.rst': 'Nothing to install.\n' })
    }
  }
  for (const [key, [python, pip]] of Object.entries(PIPS)) pips.set(key, makePip(root, python, pip))
  await Promise.all(pips.values())
}, { timeout: 180_000 })

after(async () => {
  await closeIndex?.()
  if (world) fs.rmSync(world.root, { recursive: true, force: true })
})

for (const key of ['23', '19', '18'] as const) {
  describe(`pip ${PIPS[key][1]} (Python ${PIPS[key][0]})`, { concurrency: 4 }, () => {
    for (const c of CASES.filter(c => c.pips.includes(key))) {
      test(c.title, { timeout: PIP_TIMEOUT_MS + 10_000 }, async () => {
        const pip = await pips.get(key)!
        const index = typeof c.index === 'string' ? `${world.base}/${c.index}/simple/` : c.index(world)
        const result = await pipInstall(pip, index, c.args(world), { log: !c.noLog, retries: c.retries, prompt: c.prompt, cwd: world.root })
        assert.notEqual(result.code, 0, `pip was expected to fail:\n${result.output}`)
        const context: PipFailureContext = {
          requirements: c.args(world).filter(a => !a.startsWith('-') && !a.endsWith('.txt')),
          constraints: c.constraints,
          pythonVersion: pip.pythonVersion,
          pipVersion: pip.pipVersion,
          untestedPython: UNTESTED,
          log: c.noLog ? undefined : result.log
        }
        const failure = explainPipFailure(result.output, context)
        const shown = `${failure.kind}: ${failure.message}\n--- pip said:\n${result.output}`
        assert.equal(failure.kind, c.kind, shown)
        assertCommon(failure.message)
        for (const expected of c.says(world, pip)) {
          if (typeof expected === 'string') assert.ok(failure.message.includes(expected), `missing ${JSON.stringify(expected)} in\n${shown}`)
          else assert.match(failure.message, expected, shown)
        }
        for (const unexpected of c.lacks ?? []) assert.ok(!failure.message.includes(unexpected), `unexpected ${JSON.stringify(unexpected)} in\n${shown}`)
        const appended = failure.message.includes(UNTESTED)
        assert.equal(appended, c.kind === 'build-failure' || c.kind === 'unknown', `untested-Python sentence only on build failures and unknown:\n${shown}`)
      })
    }
  })
}
