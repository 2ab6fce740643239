/**
 * The world the action installs from, built on this machine: wheels served
 * as a PEP 503 index, a constraints host that redirects like
 * releases.openstack.org, and git repositories with stable branches, an
 * end-of-life tag and a retired branch. Everything listens on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { moduleName, writeWheel, type WheelSpec } from './wheels.js'

const DPM_VERSIONS = ['1.0.0', '1.0.1', '2.0.0', '2.0.1', '3.0.0']
const DPM_REQUIRES = ['zhmcclient>=0.9.0', 'os-dpm>=1.0.0']

/**
 * Every wheel on the index. `weight` adds that many dependencies (each with
 * a few dozen modules) to the released packages, so that an install has the
 * fan-out of the real one (nova-dpm pulls in nova and ~100 libraries).
 */
export function wheelSpecs(weight = 0): WheelSpec[] {
  const bulk = Array.from({ length: weight }, (_, i) => `dpm-dep-${i}`)
  const filler = (name: string) =>
    Object.fromEntries(Array.from({ length: 30 }, (_, j) => [`${moduleName(name)}/m${j}.py`, `# ${name} module ${j}\n${'X = 1\n'.repeat(300)}`]))
  return [
    ...['nova-dpm', 'networking-dpm'].flatMap(name => DPM_VERSIONS.map(version => ({ name, version, requires: [...DPM_REQUIRES, ...bulk] }))),
    ...['0.9.0', '0.18.0', '0.20.0', '1.0.0'].map(version => ({ name: 'zhmcclient', version })),
    ...['1.0.0', '1.1.0', '2.0.0'].map(version => ({ name: 'os-dpm', version })),
    ...bulk.map(name => ({ name, version: '1.0.0', files: filler(name) })),
    // pip refuses its file outside the target directory, after installing its dependencies.
    { name: 'nova-dpm', version: '9.9.7', requires: DPM_REQUIRES, files: { '../escape.py': 'X = 1\n' } },
    // Installs, but its module cannot be imported: verification must catch it.
    { name: 'nova-dpm', version: '9.9.9', files: { 'nova_dpm/__init__.py': 'raise ImportError("needs the zhmc native library")\n' } }
  ]
}

/** Per-series upper constraints; queens pins the packages themselves, as real files may. */
export const CONSTRAINTS: Record<string, string[]> = {
  ocata: ['zhmcclient===0.9.0', 'os-dpm===1.0.0', "enum34===1.1.6;python_version=='2.7'"],
  pike: ['zhmcclient===0.18.0', 'os-dpm===1.1.0'],
  queens: ['zhmcclient===0.18.0', 'os-dpm===1.1.0', 'nova-dpm===3.0.0', 'networking-dpm===3.0.0'],
  rocky: ['zhmcclient===0.18.0', 'os-dpm===1.1.0'],
  master: ['zhmcclient===0.20.0', 'os-dpm===2.0.0']
}
/** Series whose stable branch is gone, as on opendev: served from the -eol tag. */
const EOL = new Set(['ocata'])

/** Versions each git ref of the fixture repositories builds. */
export const GIT_VERSIONS = { master: '4.0.0.dev1', 'stable/pike': '2.0.2.dev1', 'stable/queens': '3.0.1.dev1', 'ocata-eol': '1.0.2.dev1' }

export interface World {
  url: string
  /** PEP 503 index with every wheel, including the git build backend. */
  indexUrl: string
  /** The same index without the build backend the git repositories need. */
  indexWithoutBackend: string
  /** The same index, answering every request after 2 s. */
  slowIndexUrl: string
  /** The repositories over git's dumb HTTP protocol; `flaky` answers the first ref listing with 503. */
  gitUrl(pkg: 'nova-dpm' | 'networking-dpm', flaky?: boolean): string
  constraintsUrl(series: string): string
  repos: Record<'nova-dpm' | 'networking-dpm', string>
  /** Paths requested from the server, in order. */
  requests: string[]
  close(): Promise<void>
}

const here = path.dirname(fileURLToPath(import.meta.url))

/**
 * `weight`: extra dependencies of the released packages (see wheelSpecs).
 * `latencyMs`: delay before every response, to model a remote index.
 */
export async function startWorld(options: { weight?: number; latencyMs?: number } = {}): Promise<World> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nova-dpm-world-'))
  const files = path.join(root, 'files')
  for (const spec of wheelSpecs(options.weight)) writeWheel(files, spec)
  writeWheel(files, {
    name: 'dpm-fixture-backend',
    version: '1.0.0',
    files: { 'dpm_fixture_backend/__init__.py': fs.readFileSync(path.join(here, 'backend.py'), 'utf8') }
  })
  const repos = {
    'nova-dpm': makeRepo(path.join(root, 'git', 'nova-dpm'), 'nova-dpm'),
    'networking-dpm': makeRepo(path.join(root, 'git', 'networking-dpm'), 'networking-dpm')
  }
  // Bare copies served over git's dumb HTTP protocol (static files), for network faults.
  const bare = path.join(root, 'bare')
  for (const name of Object.keys(repos)) {
    git(root, 'clone', '-q', '--bare', repos[name as keyof typeof repos], path.join(bare, `${name}.git`))
    git(path.join(bare, `${name}.git`), 'update-server-info')
  }
  const requests: string[] = []
  const flakyHits = new Map<string, number>()
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    requests.push(url.pathname)
    // /slow/... is the same index, answering after 2 s: a pip run that takes a while.
    const slow = url.pathname.startsWith('/slow/')
    const pathname = slow ? url.pathname.slice('/slow'.length) : url.pathname
    setTimeout(() => route(pathname, files, flakyHits, res, bare), slow ? 2000 : (options.latencyMs ?? 0))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: base,
    indexUrl: `${base}/simple/`,
    indexWithoutBackend: `${base}/simple-nobuild/`,
    slowIndexUrl: `${base}/slow/simple/`,
    gitUrl: (pkg, flaky = false) => `${base}/${flaky ? 'git-flaky' : 'git'}/${pkg}.git`,
    constraintsUrl: series => `${base}/constraints/upper/${series}`,
    repos,
    requests,
    close: async () => {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
      fs.rmSync(root, { recursive: true, force: true })
    }
  }
}

function route(pathname: string, files: string, flakyHits: Map<string, number>, res: http.ServerResponse, bare: string): void {
  const send = (status: number, body: string | Buffer, type = 'text/plain', headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, ...headers })
    res.end(body)
  }
  let m: RegExpMatchArray | null
  if ((m = pathname.match(/^\/(simple|simple-nobuild)\/(?:([^/]+)\/)?$/))) {
    const withBackend = m[1] === 'simple'
    const wheels = fs.readdirSync(files).filter(f => withBackend || !f.startsWith('dpm_fixture_backend'))
    const project = (f: string) => f.split('-')[0].replace(/_/g, '-')
    if (!m[2]) {
      const names = [...new Set(wheels.map(project))]
      return send(200, html(names.map(n => `<a href="${n}/">${n}</a>`)), 'text/html')
    }
    const mine = wheels.filter(f => project(f) === m![2])
    if (mine.length === 0) return send(404, 'no such project')
    const links = mine.map(f => {
      const digest = createHash('sha256').update(fs.readFileSync(path.join(files, f))).digest('hex')
      return `<a href="/files/${f}#sha256=${digest}">${f}</a>`
    })
    return send(200, html(links), 'text/html', { 'cache-control': 'max-age=600, public' })
  }
  if ((m = pathname.match(/^\/files\/([^/]+\.whl)$/)) && fs.existsSync(path.join(files, m[1]))) {
    // As PyPI does: without it pip keeps no HTTP cache of the download.
    return send(200, fs.readFileSync(path.join(files, m[1])), 'application/octet-stream', { 'cache-control': 'max-age=365000000, immutable, public' })
  }
  // releases.openstack.org redirects a series to its file in openstack/requirements.
  if ((m = pathname.match(/^\/constraints\/upper\/([^/]+)$/))) {
    const series = m[1]
    if (!CONSTRAINTS[series]) return send(404, 'Not Found')
    const ref = series === 'master' ? 'branch/master' : EOL.has(series) ? `tag/${series}-eol` : `branch/stable/${series}`
    return send(302, '', 'text/plain', { location: `/requirements/raw/${ref}/upper-constraints.txt` })
  }
  if ((m = pathname.match(/^\/requirements\/raw\/(?:branch\/master|branch\/stable\/([^/]+)|tag\/([^/]+)-eol)\/upper-constraints\.txt$/))) {
    const series = m[1] ?? m[2] ?? 'master'
    return send(200, CONSTRAINTS[series].join('\n') + '\n')
  }
  // Answers 503 once per series, then heals: a retry must get through.
  if ((m = pathname.match(/^\/flaky\/([^/]+)$/))) {
    const hits = (flakyHits.get(m[1]) ?? 0) + 1
    flakyHits.set(m[1], hits)
    if (hits === 1) return send(503, 'Service Unavailable', 'text/plain', { 'retry-after': '0' })
    return send(200, CONSTRAINTS[m[1]].join('\n') + '\n')
  }
  // /git/<repo>.git/... serves a bare repository; /git-flaky/... answers the first ref listing with 503.
  if ((m = pathname.match(/^\/(git|git-flaky)\/([\w.-]+\.git\/[\w./-]+)$/))) {
    if (m[1] === 'git-flaky' && m[2].endsWith('/info/refs') && !flakyHits.has(pathname)) {
      flakyHits.set(pathname, 1)
      return send(503, 'Service Unavailable')
    }
    const file = path.join(bare, path.normalize(m[2]))
    if (!file.startsWith(bare) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return send(404, 'Not Found')
    return send(200, fs.readFileSync(file), 'application/octet-stream')
  }
  // Network faults: a connection cut before any answer (once, or always), and a server that never answers.
  if ((m = pathname.match(/^\/drop-once\/([^/]+)$/))) {
    const hits = (flakyHits.get(pathname) ?? 0) + 1
    flakyHits.set(pathname, hits)
    if (hits === 1) return void res.socket?.destroy()
    return send(200, CONSTRAINTS[m[1]].join('\n') + '\n')
  }
  if (pathname === '/drop') return void res.socket?.destroy()
  if (pathname === '/stall') return
  if (pathname === '/always-503') return send(503, 'Service Unavailable', 'text/plain', { 'retry-after': '0' })
  if (pathname === '/html') return send(200, '<!DOCTYPE html><html><body>Not a constraints file</body></html>', 'text/html')
  if (pathname === '/bad-lines') return send(200, 'zhmcclient===0.9.0\nthis is not a constraint\nos-dpm===1.0.0\n<<<garbage>>>\n')
  if (pathname === '/loop') return send(302, '', 'text/plain', { location: '/loop' })
  send(404, 'Not Found')
}

function html(links: string[]): string {
  return `<!DOCTYPE html><html><body>\n${links.join('<br/>\n')}\n</body></html>\n`
}

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'fixture',
  GIT_AUTHOR_EMAIL: 'fixture@example.invalid',
  GIT_COMMITTER_NAME: 'fixture',
  GIT_COMMITTER_EMAIL: 'fixture@example.invalid'
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim()
}

/**
 * A repository shaped like opendev's: master, stable/pike, stable/queens, an
 * annotated ocata-eol tag whose branch was deleted, and a retired
 * stable/rocky that holds only a README.
 */
function makeRepo(dir: string, name: string): string {
  fs.mkdirSync(dir, { recursive: true })
  git(dir, 'init', '-q', '-b', 'master')
  const writeProject = (version: string) => {
    fs.writeFileSync(path.join(dir, 'README.rst'), `${name}\n`)
    fs.writeFileSync(
      path.join(dir, 'pyproject.toml'),
      '[build-system]\nrequires = ["dpm-fixture-backend>=1.0"]\nbuild-backend = "dpm_fixture_backend"\n'
    )
    fs.writeFileSync(path.join(dir, 'fixture.json'), JSON.stringify({ name, version, requires: DPM_REQUIRES }))
    fs.mkdirSync(path.join(dir, moduleName(name)), { recursive: true })
    fs.writeFileSync(path.join(dir, moduleName(name), '__init__.py'), `__version__ = ${JSON.stringify(version)}\n`)
    git(dir, 'add', '-A')
    git(dir, 'commit', '-q', '-m', `${name} ${version}`)
  }
  writeProject(GIT_VERSIONS['ocata-eol'])
  git(dir, 'tag', '-a', 'ocata-eol', '-m', 'ocata end of life')
  for (const branch of ['stable/pike', 'stable/queens'] as const) {
    git(dir, 'checkout', '-q', '-b', branch, 'master')
    writeProject(GIT_VERSIONS[branch])
  }
  git(dir, 'checkout', '-q', '-b', 'stable/rocky', 'master')
  git(dir, 'rm', '-q', '-r', 'pyproject.toml', 'fixture.json', moduleName(name))
  fs.writeFileSync(path.join(dir, 'README.rst'), 'This project is no longer maintained.\n')
  git(dir, 'commit', '-q', '-a', '-m', 'Retire project')
  git(dir, 'checkout', '-q', 'master')
  writeProject(GIT_VERSIONS.master)
  return dir
}
