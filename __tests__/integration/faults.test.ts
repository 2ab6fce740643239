/**
 * Issue 9's faults, through dist/index.js: every wait is bounded, a cache
 * hit is proven and a bad entry replaced, the runner's and the interpreter's
 * oddities get clear answers, and pip's failures are told by their cause.
 */
import assert from 'node:assert/strict'
import { execFile, execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { after, before, describe, it } from 'node:test'
import { removeStage, stageEntry } from '../../src/cache/venvEntry.js'
import type { CacheService } from '../fixtures/cacheService.js'
import { pyenvPrefix } from '../fixtures/pythons.js'
import { cleanEnv, installed, makeVenv, messages, runAction, startAction, tempDir, type ActionRun } from '../fixtures/runAction.js'
import { makeBackendRepo, makeLocalProject } from '../fixtures/repos.js'
import { useCacheService, useWorld } from '../fixtures/suite.js'
import { installInputs } from '../fixtures/world.js'
import { failsOnce } from '../fixtures/assertions.js'
import { listen, serve } from '../fixtures/loopback.js'
import { alive, waitFor } from '../fixtures/processes.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

interface CacheProxy {
  /** The runner's cache variables, pointing at the proxy. */
  env: Record<string, string>
  /** Blob downloads get no answer at all while set. */
  stallDownloads: boolean
  /** Twirp methods answered with this HTTP status (a Twirp error). */
  failing: Map<string, number>
  /** Blob downloads asked for. */
  downloads: number
  close(): Promise<void>
}

/**
 * The loopback cache service behind a proxy that can break it: the proxy
 * forwards every call and rewrites the blob URLs the service hands out to
 * point at itself, so that it sees (and may stall) the downloads.
 */
async function startCacheProxy(service: CacheService): Promise<CacheProxy> {
  const target = new URL(service.env.ACTIONS_RESULTS_URL)
  let origin = ''
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const url = new URL(req.url ?? '/', origin)
    if (url.pathname.startsWith('/blob/') && req.method === 'GET') {
      proxy.downloads++
      if (proxy.stallDownloads) return
    }
    const status = proxy.failing.get(url.pathname.split('/').pop() ?? '')
    if (status) {
      res.writeHead(status, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ code: 'internal', msg: 'cache service broken on purpose' }))
    }
    const hopByHop = ['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'content-encoding']
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !hopByHop.includes(k))) as Record<string, string>
    const body = Buffer.concat(chunks)
    const answer = await fetch(new URL(url.pathname + url.search, target), { method: req.method, headers, body: body.length ? body : undefined })
    let data = Buffer.from(await answer.arrayBuffer())
    if (answer.headers.get('content-type')?.includes('json')) data = Buffer.from(data.toString().replaceAll(target.origin, origin))
    const out: Record<string, string> = {}
    answer.headers.forEach((value, key) => {
      if (!hopByHop.includes(key)) out[key] = value
    })
    res.writeHead(answer.status, out).end(data)
  })
  const listening = await listen(server)
  origin = listening.url
  const proxy: CacheProxy = {
    env: { ...service.env, ACTIONS_RESULTS_URL: `${origin}/` },
    stallDownloads: false,
    failing: new Map(),
    downloads: 0,
    close: listening.close
  }
  return proxy
}

/** Runs the action and measures until its process has exited. */
async function timed(run: Promise<ActionRun>): Promise<{ run: ActionRun; seconds: number }> {
  const started = Date.now()
  const result = await run
  return { run: result, seconds: (Date.now() - started) / 1000 }
}


/**
 * What a `cp -a` copy of pyenv's CPython 3.11 is for these tests, without
 * copying a gigabyte: a prefix of its own (CPython finds it from where the
 * executable is), whose standard library links to the original's, except
 * site-packages (a directory of its own, so that nothing lands in the
 * original's) and ensurepip (a copy, for a test to break).
 */
function linkedPython(): { python: string; ensurepip: string } {
  const original = pyenvPrefix('3.11')
  const prefix = tempDir('nova-dpm-python3.11-')
  const stdlib = path.join(prefix, 'lib', 'python3.11')
  fs.mkdirSync(path.join(prefix, 'bin'))
  fs.mkdirSync(stdlib, { recursive: true })
  fs.copyFileSync(path.join(original, 'bin', 'python3.11'), path.join(prefix, 'bin', 'python3.11'))
  fs.chmodSync(path.join(prefix, 'bin', 'python3.11'), 0o755)
  fs.symlinkSync('python3.11', path.join(prefix, 'bin', 'python'))
  // The shared library, for an interpreter that looks for it next to itself ($ORIGIN/../lib).
  for (const name of fs.readdirSync(path.join(original, 'lib')).filter(n => n.startsWith('libpython'))) {
    fs.symlinkSync(path.join(original, 'lib', name), path.join(prefix, 'lib', name))
  }
  const from = path.join(original, 'lib', 'python3.11')
  for (const name of fs.readdirSync(from)) {
    if (name === 'site-packages') {
      fs.mkdirSync(path.join(stdlib, name))
      for (const entry of fs.readdirSync(path.join(from, name))) fs.symlinkSync(path.join(from, name, entry), path.join(stdlib, name, entry))
    } else if (name === 'ensurepip') {
      fs.cpSync(path.join(from, name), path.join(stdlib, name), { recursive: true })
    } else {
      fs.symlinkSync(path.join(from, name), path.join(stdlib, name))
    }
  }
  return { python: path.join(prefix, 'bin', 'python'), ensurepip: path.join(stdlib, 'ensurepip') }
}

describe('faults: bounded waits, proven caches, clear answers', () => {
  const world = useWorld()
  const service = useCacheService()
  let python: string
  before(() => {
    python = makeVenv()
  })

  const base = (extra: Record<string, string> = {}) => installInputs(world, { release: 'pike', python, ...extra })

  describe('every wait is bounded', () => {
    it('a host that never answers and one that trickles fail within about timeout × attempts, and the process exits', { timeout: 60_000 }, async () => {
      const runs = await Promise.all(['/stall', '/trickle'].map(p => timed(runAction(base({ constraints: `${world.url}${p}`, timeout: '2', retries: '1' })))))
      for (const { run, seconds } of runs) {
        assert.match(failsOnce(run), /could not be fetched from '.*\/(stall|trickle)': no complete answer within 2 s \(tried 2 times\)/)
        // Two attempts of 2 s and a 0.5 s pause between them; the rest is the process starting and stopping.
        assert.ok(seconds >= 4, `waited for both attempts (${seconds} s)`)
        assert.ok(seconds < 12, `gave up and exited in ${seconds} s`)
      }
    })

    it('git ls-remote against a git server that never answers is stopped at the bound', { timeout: 60_000 }, async () => {
      const stall = await serve(() => {})
      try {
        const { run, seconds } = await timed(runAction(base({ mode: 'stable', repository: `${stall.url}/x/{package}.git`, timeout: '2', retries: '0' })))
        assert.match(failsOnce(run), /git repository '.*\/x\/nova-dpm\.git'/)
        assert.ok(seconds < 10, `stopped in ${seconds} s`)
        const stray = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter(l => l.includes(stall.url))
        assert.deepEqual(stray, [], 'no git process is left')
      } finally {
        await stall.close()
      }
    })

    it('constraints at /dev/zero, a FIFO or a directory fail at once', { timeout: 30_000 }, async () => {
      const dir = tempDir()
      const fifo = path.join(dir, 'fifo')
      execFileSync('mkfifo', [fifo])
      const cases: [string, RegExp][] = [
        ['/dev/zero', /'\/dev\/zero' is a device, not a regular file/],
        [fifo, /is a named pipe \(FIFO\), not a regular file/],
        [dir, /is a directory, not a regular file/]
      ]
      const runs = await Promise.all(cases.map(([file]) => timed(runAction(base({ constraints: file })))))
      runs.forEach(({ run, seconds }, i) => {
        assert.match(failsOnce(run), cases[i][1])
        assert.ok(seconds < 10, `failed in ${seconds} s`)
      })
    })

    it('a stalled cache download falls back to a normal install, with a warning', { timeout: 90_000 }, async () => {
      const proxy = await startCacheProxy(service)
      try {
        const shared = tempDir()
        const env = { ...proxy.env, PIP_CACHE_DIR: path.join(shared, 'pip-cache'), PIP_TRUSTED_HOST: '127.0.0.1' }
        const inputs = { cache: 'pip', 'cache-key-suffix': 'stall', timeout: '2' }
        const first = await runAction(base({ ...inputs, python: makeVenv() }), env)
        assert.equal(first.code, 0, first.stdout)
        assert.equal(service.committedKeys().filter(k => k.includes('-stall-')).length, 1)

        // A fresh runner: an empty pip cache, which only the stalled entry could fill.
        fs.rmSync(env.PIP_CACHE_DIR, { recursive: true, force: true })
        proxy.stallDownloads = true
        const target = makeVenv()
        const { run, seconds } = await timed(runAction(base({ ...inputs, python: target }), env))
        assert.equal(run.code, 0, run.stdout)
        assert.ok(proxy.downloads >= 1, 'the download was asked for')
        assert.ok(messages(run, 'warning').some(m => /Cache restore failed, installing without it: the cache service stopped answering: nothing moved for 2 s/.test(m)), run.stdout)
        assert.equal(run.outputs['cache-hit'], 'false')
        assert.equal(installed(target)['nova-dpm'], '2.0.1')
        // The stall is cut after 2 s, and the action's own download is not retried.
        assert.ok(seconds < 30, `done in ${seconds} s`)
      } finally {
        await proxy.close()
      }
    })
  })

  describe('a cache hit is proven, a bad entry replaced', () => {
    let proxy: CacheProxy
    before(async () => {
      proxy = await startCacheProxy(service)
    })
    after(() => proxy.close())

    // One runner layout for every run: the venv at the same path (the cache version is a hash of it), the same workspace
    // (entries hold paths relative to it).
    const shared = tempDir('nova-dpm-venv-cache-')
    const venv = path.join(shared, 'venv')
    const venvInputs = () => base({ cache: 'venv', 'venv-path': venv, 'cache-key-suffix': 'proven' })
    const runner = () => {
      fs.rmSync(venv, { recursive: true, force: true })
      return { ...proxy.env, GITHUB_WORKSPACE: shared }
    }
    const keys = () => service.committedKeys().filter(k => k.includes('-proven-'))

    it('a restored venv with a package file missing fails verification, is rebuilt, and saved under a new key the next run hits', { timeout: 180_000 }, async () => {
      const cold = await runAction(venvInputs(), runner())
      assert.equal(cold.code, 0, cold.stdout)
      assert.equal(cold.outputs['cache-hit'], 'false')
      const [good] = keys()
      assert.ok(good, 'the cold run saved the venv')

      // An entry whose nova_dpm/__init__.py is gone, saved through the service as a newer entry for the same inputs.
      const init = path.join(venv, 'lib', 'python3.11', 'site-packages', 'nova_dpm', '__init__.py')
      fs.rmSync(init)
      const identity = good.replace(/[^-]+-[^-]+-[^-]+$/, '')
      const tampered = `${identity}tampered`
      // Saved as the action saves a venv: from its stage, without byte code.
      const stage = stageEntry(venv)
      assert.ok(stage, 'the venv was staged')
      const save = `import { saveCache } from '@actions/cache'\nprocess.exit((await saveCache([${JSON.stringify(stage)}], ${JSON.stringify(tampered)})) === -1 ? 3 : 0)`
      try {
        // Not a sync call: the cache service it talks to runs in this process.
        await promisify(execFile)(process.execPath, ['--input-type=module', '-e', save], {
          cwd: repoRoot,
          env: cleanEnv({ ...proxy.env, GITHUB_WORKSPACE: shared, RUNNER_TEMP: tempDir() }),
          timeout: 60_000
        })
      } finally {
        removeStage(stage)
      }
      assert.deepEqual(keys(), [good, tampered])

      const rebuilt = await runAction(venvInputs(), runner())
      assert.equal(rebuilt.code, 0, rebuilt.stdout)
      assert.ok(
        messages(rebuilt, 'warning').some(m => /The venv cache entry .* failed the check made before anything from it runs: nova_dpm\/__init__\.py of nova_dpm-2\.0\.1\.dist-info is missing\. Nothing from it was used/.test(m)),
        rebuilt.stdout
      )
      assert.equal(rebuilt.outputs['cache-hit'], 'false')
      assert.match(rebuilt.stdout, /-m pip install/)
      assert.ok(fs.existsSync(init), 'the rebuilt venv has the file')
      const saved = keys().filter(k => k !== good && k !== tampered)
      assert.equal(saved.length, 1, 'saved under a new key')
      assert.ok(saved[0].startsWith(identity))

      const hit = await runAction(venvInputs(), runner())
      assert.equal(hit.code, 0, hit.stdout)
      assert.equal(hit.outputs['cache-hit'], 'true')
      assert.doesNotMatch(hit.stdout, /-m pip install/)
      assert.deepEqual(messages(hit, 'warning').filter(m => /cache/i.test(m)), [])
      assert.ok(fs.existsSync(init))
      assert.equal(installed(path.join(venv, 'bin', 'python'))['nova-dpm'], '2.0.1')
    })

    it('a venv cache entry is never restored into a directory the action did not make', { timeout: 60_000 }, async () => {
      const env = runner()
      fs.mkdirSync(venv)
      fs.writeFileSync(path.join(venv, 'notes.txt'), 'mine\n')
      const downloads = proxy.downloads
      const run = await runAction(venvInputs(), env)
      assert.match(failsOnce(run), new RegExp(`${venv}.*did not create`))
      assert.deepEqual(fs.readdirSync(venv), ['notes.txt'])
      assert.equal(fs.readFileSync(path.join(venv, 'notes.txt'), 'utf8'), 'mine\n')
      assert.equal(proxy.downloads, downloads, 'no entry was downloaded')
      assert.deepEqual(run.exported, {})
    })

    it('a cache-key-suffix of 101 characters is an input error', { timeout: 30_000 }, async () => {
      const run = await runAction(base({ python: makeVenv(), cache: 'pip', 'cache-key-suffix': 'x'.repeat(101) }), proxy.env)
      assert.match(failsOnce(run), /Input 'cache-key-suffix' is 101 characters long/)
      const fits = await runAction(base({ cache: 'pip', 'cache-key-suffix': 'y'.repeat(100), 'dry-run': 'true' }), proxy.env)
      assert.equal(fits.code, 0, fits.stdout)
    })

    it('a cache service that fails on save is a warning; the install stands', { timeout: 90_000 }, async () => {
      const failing = await Promise.all(['CreateCacheEntry', 'FinalizeCacheEntryUpload'].map(() => startCacheProxy(service)))
      try {
        failing[0].failing.set('CreateCacheEntry', 400)
        failing[1].failing.set('FinalizeCacheEntryUpload', 400)
        const targets = [makeVenv(), makeVenv()]
        const runs = await Promise.all(
          failing.map((p, i) => runAction(base({ python: targets[i], cache: 'pip', 'cache-key-suffix': `save-fails-${i}` }), { ...p.env, PIP_CACHE_DIR: path.join(tempDir(), 'pip'), PIP_TRUSTED_HOST: '127.0.0.1' }))
        )
        runs.forEach((run, i) => {
          assert.equal(run.code, 0, run.stdout)
          assert.deepEqual(messages(run, 'error'), [])
          assert.ok(
            messages(run, 'warning').some(m => /Cache save failed|Failed to save/.test(m)),
            `a warning says the save failed:\n${run.stdout}`
          )
          assert.equal(installed(targets[i])['nova-dpm'], '2.0.1')
        })
        assert.deepEqual(service.committedKeys().filter(k => k.includes('save-fails')), [])
      } finally {
        await Promise.all(failing.map(p => p.close()))
      }
    })
  })

  describe('the runner and the interpreter', () => {
    it("'python: /bin/echo' is told it is not Python; a wrapper that prints a banner first works", { timeout: 60_000 }, async () => {
      const echo = await runAction(base({ python: '/bin/echo' }))
      assert.match(failsOnce(echo), /'\/bin\/echo' printed '.*' instead of the answer to the action's Python probe: is it a Python interpreter\?/)

      const target = makeVenv()
      const wrapper = path.join(tempDir(), 'python-wrapper')
      fs.writeFileSync(wrapper, `#!/bin/sh\necho "Welcome to the build host. Python is ready."\necho '{"not": "the answer"}'\nexec ${target} "$@"\n`, { mode: 0o755 })
      const run = await runAction(base({ python: wrapper }))
      assert.equal(run.code, 0, run.stdout)
      assert.equal(installed(target)['nova-dpm'], '2.0.1')
      assert.equal(run.outputs['python-path'], target)
    })

    it('no or an unwritable GITHUB_STEP_SUMMARY, no or an unwritable RUNNER_TEMP: installed, with warnings', { timeout: 90_000 }, async () => {
      const dir = tempDir()
      const file = path.join(dir, 'a-file')
      fs.writeFileSync(file, '')
      const cases: [Record<string, string>, RegExp[]][] = [
        [{ GITHUB_STEP_SUMMARY: '', RUNNER_TEMP: '' }, [/GITHUB_STEP_SUMMARY is not set/, /RUNNER_TEMP is not set/]],
        // /dev/full takes no byte; a path under a regular file cannot be created, whoever the user is.
        [{ GITHUB_STEP_SUMMARY: '/dev/full', RUNNER_TEMP: path.join(file, 'temp') }, [/Could not write the job summary/, /RUNNER_TEMP \(.*\) is not usable/]],
        [{ GITHUB_STEP_SUMMARY: path.join(file, 'summary.md'), RUNNER_TEMP: file }, [/Could not write the job summary/, /RUNNER_TEMP \(.*\) is not usable/]]
      ]
      const targets = cases.map(() => makeVenv())
      // The system's temp directory the action falls back to is the test's own: nothing is left in this machine's /tmp.
      const systemTemp = tempDir('nova-dpm-system-temp-')
      const runs = await Promise.all(cases.map(([env], i) => runAction(base({ python: targets[i] }), { ...env, TMPDIR: systemTemp })))
      assert.equal(fs.readdirSync(systemTemp).filter(name => name.startsWith('setup-nova-dpm-')).length, cases.length, 'each run fell back to the system temp directory')
      runs.forEach((run, i) => {
        assert.equal(run.code, 0, run.stdout)
        assert.deepEqual(messages(run, 'error'), [])
        for (const warning of cases[i][1]) assert.ok(messages(run, 'warning').some(m => warning.test(m)), `${warning} in\n${run.stdout}`)
        assert.equal(installed(targets[i])['nova-dpm'], '2.0.1')
        assert.equal(run.outputs.version, '2.0.1')
      })
    })

    it("a workspace with json.py and a nova_dpm/ folder shadows nothing: the installed nova_dpm is the one verified", { timeout: 60_000 }, async () => {
      const workspace = tempDir('nova-dpm-workspace-')
      const shadowed = path.join(workspace, 'SHADOWED')
      fs.writeFileSync(path.join(workspace, 'json.py'), `open(${JSON.stringify(shadowed)}, "a").write("json\\n")\nraise ImportError("the workspace json.py")\n`)
      fs.mkdirSync(path.join(workspace, 'nova_dpm'))
      fs.writeFileSync(path.join(workspace, 'nova_dpm', '__init__.py'), `open(${JSON.stringify(shadowed)}, "a").write("nova_dpm\\n")\n`)
      const target = makeVenv()
      // The runner starts the action in the workspace; PYTHONPATH pointing there must not count either.
      const run = await runAction(base({ python: target }), {
        GITHUB_WORKSPACE: workspace,
        PYTHONPATH: workspace,
        NODE_OPTIONS: `--import=data:text/javascript,process.chdir(${encodeURIComponent(JSON.stringify(workspace))})`
      })
      assert.equal(run.code, 0, run.stdout)
      assert.equal(installed(target)['nova-dpm'], '2.0.1')
      assert.ok(!fs.existsSync(shadowed), `the workspace's modules were imported: ${fs.existsSync(shadowed) ? fs.readFileSync(shadowed, 'utf8') : ''}`)
    })

    it('cancelling during a PEP 517 build from git stops the whole process tree', { timeout: 120_000 }, async () => {
      // A repository whose in-tree build backend starts a child and both wait: a build that never ends by itself.
      const pids = path.join(tempDir(), 'pids')
      const repo = makeBackendRepo(path.join(tempDir(), 'slow-nova-dpm'), 'slow_backend', [
        'import os, subprocess, time',
        'def get_requires_for_build_wheel(config_settings=None):',
        '    child = subprocess.Popen(["sleep", "300"])',
        `    with open(${JSON.stringify(pids)} + ".tmp", "w") as f:`,
        '        f.write("%d %d" % (os.getpid(), child.pid))',
        `    os.rename(${JSON.stringify(pids)} + ".tmp", ${JSON.stringify(pids)})`,
        '    time.sleep(300)',
        '    return []'
      ])
      const { child, done } = startAction(base({ mode: 'stable', repository: repo, constraints: 'none' }))
      const started = await waitFor('the build backend to start', 90_000, () =>
        fs.existsSync(pids) ? fs.readFileSync(pids, 'utf8').split(' ').map(Number) : undefined
      )
      try {
        assert.ok(started.every(alive))
        child.kill('SIGTERM')
        const run = await done
        assert.equal(run.code, 1)
        assert.match(messages(run, 'error').join('\n'), /Cancelled \(SIGTERM\)/)
        // The grace before SIGKILL is 2 s.
        await waitFor('the build processes to stop', 10_000, () => (started.some(alive) ? undefined : true))
      } finally {
        for (const pid of started.filter(alive)) process.kill(pid, 'SIGKILL')
      }
    })
  })

  describe('hints name the real cause', () => {
    // Not externally managed, so 'venv: auto' would install into it; its ensurepip is broken below.
    let python311: { python: string; ensurepip: string }
    before(() => {
      python311 = linkedPython()
    })

    it("PIP_REQUIRE_VIRTUALENV without a venv suggests 'venv: true'", { timeout: 60_000 }, async () => {
      const run = await runAction(base({ python: python311.python }), { PIP_REQUIRE_VIRTUALENV: '1' })
      assert.match(failsOnce(run), /PIP_REQUIRE_VIRTUALENV.*'venv: true'/s)
    })

    it('a PIP_TARGET that takes the install elsewhere is named', { timeout: 60_000 }, async () => {
      const target = tempDir()
      const run = await runAction(base({ python: makeVenv() }), { PIP_TARGET: target })
      assert.match(failsOnce(run), new RegExp(`PIP_TARGET.*${target}`, 's'))
    })

    it("a venv that fails for another reason gets no 'install python3-venv'", { timeout: 60_000 }, async () => {
      const bundled = path.join(python311.ensurepip, '_bundled')
      for (const wheel of fs.readdirSync(bundled).filter(f => f.endsWith('.whl'))) fs.writeFileSync(path.join(bundled, wheel), 'not a wheel')
      const run = await runAction(base({ python: python311.python, venv: 'true', 'venv-path': path.join(tempDir(), 'venv') }))
      const error = failsOnce(run)
      assert.match(error, /Could not create a virtual environment at /)
      assert.doesNotMatch(error, /python3-venv|python3\.\d+-venv/)
    })

    it("a Python without ensurepip is told to install python3-venv", { timeout: 60_000 }, async () => {
      fs.rmSync(python311.ensurepip, { recursive: true })
      const run = await runAction(base({ python: python311.python, venv: 'true', 'venv-path': path.join(tempDir(), 'venv') }))
      assert.match(failsOnce(run), /ensurepip module is missing\. On Debian\/Ubuntu install python3-venv/)
    })
  })

  describe("pip's failures by their real cause", () => {
    const project = () =>
      makeLocalProject(path.join(tempDir(), 'future-project'), { name: 'needs-future-python', version: '1.0.0', layout: 'pyproject', requiresPython: '>=3.99' })
    const cases: [string, () => Record<string, string>, RegExp][] = [
      ['an index answering 503', () => ({ 'index-url': world.unavailableIndexUrl, retries: '0' }), /The package index answered HTTP 503 for ".*simple-503\/nova-dpm\/"/],
      ['an index answering 401', () => ({ 'index-url': world.authIndexUrl }), /The package index refused access to ".*\/auth\/simple\/nova-dpm\/" \(HTTP 401: credentials required/],
      ['an index without nova-dpm', () => ({ 'index-url': world.indexWithoutNovaDpm }), /There is no project "nova-dpm" on ".*simple-empty\/"/],
      ['no version in the range', () => ({ version: '2.5.x' }), /No version of "nova-dpm" on ".*" matches "nova-dpm.*2\.5\.0.*"; pip saw 1\.0\.0, 1\.0\.1, 2\.0\.0, 2\.0\.1, 3\.0\.0/],
      [
        'a conflict with a constraint',
        () => ({ release: 'queens', constraints: world.constraintsUrl('queens'), version: '9.x' }),
        /pip cannot satisfy the requirements together with the constraints: .* The constraints involved: line 3 "nova-dpm===3\.0\.0"/
      ],
      ['a Requires-Python the interpreter does not meet', () => ({ requirements: project() }), /"needs-future-python" needs Python >=3\.99, and this interpreter is Python 3\.11/]
    ]
    for (const [what, inputs, message] of cases) {
      it(what, { timeout: 60_000 }, async () => {
        const target = makeVenv()
        const run = await runAction(base({ python: target, ...inputs() }))
        const error = failsOnce(run)
        assert.match(error, message)
        assert.doesNotMatch(error, /Likely cause/)
        if (!/conflict/.test(what)) assert.doesNotMatch(error, /together with the constraints/)
        assert.match(error, /pip changed nothing; the environment is as it was\./)
        assert.equal(installed(target)['nova-dpm'], undefined)
      })
    }
  })
})
