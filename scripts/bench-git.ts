/**
 * `npm run bench:git`: installing nova-dpm from git, `mode: stable` at a
 * deleted branch's -eol tag, out of a repository with Nova's shape and a long
 * history (__tests__/fixtures/longHistory.ts) served over git's smart HTTP
 * protocol on 127.0.0.1. Side by side, each round in a fresh venv with an
 * empty pip cache:
 *   pip     a bare `pip install git+<url>@<sha>#egg=nova-dpm`: pip clones the whole repository
 *   action  the action, which fetches what pbr needs and gives pip the checkout
 * Wall time (median of BENCH_ROUNDS, default 3) and the bytes the server sent.
 *   BENCH_COMMITS  length of master (default 20000)
 */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { startGitServer } from '../__tests__/fixtures/gitServer.js'
import { makeLongHistory } from '../__tests__/fixtures/longHistory.js'
import { cleanEnv, installed, makeVenv, runAction, tempDir } from '../__tests__/fixtures/runAction.js'
import { git } from '../__tests__/fixtures/repos.js'
import { startWorld } from '../__tests__/fixtures/world.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const COMMITS = Number(process.env.BENCH_COMMITS ?? 20_000)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`

const root = tempDir('nova-dpm-bench-git-')
const history = makeLongHistory(root, 'nova-dpm', COMMITS)
const packs = path.join(history.bare, 'objects', 'pack')
const packBytes = fs.readdirSync(packs).reduce((sum, f) => sum + fs.statSync(path.join(packs, f)).size, 0)
const world = await startWorld()
const server = await startGitServer(root)
const url = server.repoUrl('nova-dpm')
const sha = git(history.bare, 'rev-parse', 'queens-eol^{commit}')
const pipCache = path.join(root, 'pip-cache')

const ways: Record<string, (python: string) => Promise<unknown>> = {
  pip: python =>
    promisify(execFile)(python, ['-m', 'pip', 'install', '-q', '--index-url', world.indexUrl, `git+${url}@${sha}#egg=nova-dpm`], {
      env: cleanEnv({ PIP_CACHE_DIR: pipCache })
    }),
  action: async python => {
    const run = await runAction({ release: 'queens', mode: 'stable', python, repository: url, 'index-url': world.indexUrl, constraints: 'none', cache: 'false' })
    if (run.code !== 0) throw new Error(`action failed:\n${run.stdout}`)
  }
}

console.log(
  `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ${history.commits} commits, packs ${mib(packBytes)}; ` +
    `nova-dpm at queens-eol over smart HTTP on 127.0.0.1, median of ${ROUNDS} rounds\n`
)
const results: Record<string, { seconds: number[]; bytes: number[] }> = {}
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, way] of Object.entries(ways)) {
    fs.rmSync(pipCache, { recursive: true, force: true })
    const python = makeVenv()
    server.resetCount()
    const started = process.hrtime.bigint()
    await way(python)
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const version = installed(python)['nova-dpm']
    if (version !== history.versions['queens-eol']) throw new Error(`${name} installed nova-dpm ${version}, not ${history.versions['queens-eol']}`)
    const result = (results[name] ??= { seconds: [], bytes: [] })
    result.seconds.push(seconds)
    result.bytes.push(server.bytesSent('nova-dpm'))
  }
}
for (const [name, { seconds, bytes }] of Object.entries(results)) {
  console.log(`${name.padEnd(7)} ${median(seconds).toFixed(2)} s   ${mib(median(bytes)).padStart(10)} from the git server   (${seconds.map(s => s.toFixed(2)).join(', ')} s)`)
}
await server.close()
await world.close()
