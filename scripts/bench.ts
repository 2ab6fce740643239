/**
 * `npm run bench`: wall time of installing nova-dpm for queens from the
 * loopback fixtures, each way measured side by side in one run, as the median
 * of BENCH_ROUNDS rounds (the fastest and slowest beside it), printed as a
 * ratio to a bare `pip install -c` of the same requirement. Every round is a
 * fresh runner: a new venv and an empty pip cache directory (made outside the
 * timing).
 *   BENCH_WEIGHTS   worlds, comma-separated (default "20,100"): a number is that many
 *                   dependencies of nova-dpm, ~30 small modules each; `nova` is nova's
 *                   real closure in size: 150 dependencies, 15,000 files, 40 MB of
 *                   wheels, some of several MB (__tests__/fixtures/bulk.ts); e.g.
 *                   BENCH_WEIGHTS=nova BENCH_ROUNDS=3 npm run bench (3–5 minutes)
 *   BENCH_ROUNDS    rounds per world (default 3)
 *   BENCH_LATENCY_MS delay per index request (default 0: pure loopback)
 *   BENCH_VS        another build's entry point (e.g. a copy of an older dist/index.js):
 *                   its warm venv run is timed too, in the same rounds, the two builds'
 *                   order alternated, and printed beside this build's: both meet the
 *                   machine in the same state, so a change too small to tell between
 *                   two runs of the bench can show here (with enough rounds).
 * The no-op figure is the action's own fixed cost: nova-dpm already installed,
 * no cache, against a bare `pip install` that also finds nothing to do. The
 * floor of a warm venv is what no action can beat: unpacking the same venv
 * from a zstd tar and one interpreter start that imports nova_dpm. Under the
 * cold and warm venv rows, the median of each phase the action's summary
 * times (to 0.1 s; phases that run side by side overlap).
 */
import { execFile, execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { startCacheService } from '../__tests__/fixtures/cacheService.js'
import { ACTION, cleanEnv, makeVenv, runAction, tempDir } from '../__tests__/fixtures/runAction.js'
import { NOVA_DEPENDENCIES } from '../__tests__/fixtures/bulk.js'
import { startWorld } from '../__tests__/fixtures/world.js'

const WORLDS = (process.env.BENCH_WEIGHTS ?? '20,100').split(',').map(w => w.trim())
for (const w of WORLDS) if (w !== 'nova' && !/^\d+$/.test(w)) throw new Error(`BENCH_WEIGHTS: ${JSON.stringify(w)} is neither a number of dependencies nor 'nova'`)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 0)
const VS = process.env.BENCH_VS ? path.resolve(process.env.BENCH_VS) : undefined
if (VS && (!fs.existsSync(VS) || VS === path.resolve(ACTION))) throw new Error(`BENCH_VS: ${VS} is missing or this build's own; give the path of another build's index.js`)
const SPEC = 'nova-dpm>=3.0.0,<4.0.0'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Phase -> seconds, from the table the action writes to its job summary. */
function phases(summary: string): Map<string, number> {
  const table = summary.slice(summary.indexOf('Phases'))
  return new Map([...table.matchAll(/<tr><td>(.*?)<\/td><td>([\d.]+) s<\/td><\/tr>/g)].map(m => [m[1], Number(m[2])]))
}

function printPhases(runs: Map<string, number>[]): void {
  const names = [...new Set(runs.flatMap(run => [...run.keys()]))]
  console.log(`      ${names.map(name => `${name} ${median(runs.map(run => run.get(name) ?? 0)).toFixed(1)}`).join(', ')}`)
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint()
  await work()
  return Number(process.hrtime.bigint() - started) / 1e9
}

console.log(`${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}; nova-dpm for queens, ${LATENCY_MS} ms per index request, median of ${ROUNDS} rounds\n`)
if (VS) console.log(`BENCH_VS: ${VS}\n`)
for (const w of WORLDS) {
  const nova = w === 'nova'
  const world = await startWorld({ weight: nova ? 0 : Number(w), shape: nova ? 'nova' : 'small', latencyMs: LATENCY_MS })
  const service = await startCacheService()
  const shared = tempDir('nova-dpm-bench-')
  const pipCache = path.join(shared, 'pip-cache')
  const venvPath = path.join(shared, 'venv')
  const constraints = path.join(shared, 'uc.txt')
  fs.writeFileSync(constraints, await (await fetch(world.constraintsUrl('queens'))).text())
  // pip caches nothing fetched over plain http from an untrusted host; real indexes are https, and
  // a bare pip from one writes its cache too (here about 0.35 s of a 3.5 s install), so both get it.
  const pipEnv = { PIP_CACHE_DIR: pipCache, PIP_TRUSTED_HOST: '127.0.0.1' }
  const env = { ...service.env, ...pipEnv }
  const fresh = (): string => {
    fs.rmSync(pipCache, { recursive: true, force: true })
    fs.rmSync(venvPath, { recursive: true, force: true })
    return makeVenv()
  }
  const bare = (python: string) =>
    promisify(execFile)(python, ['-m', 'pip', 'install', '-q', '-c', constraints, '--index-url', world.indexUrl, SPEC], { env: cleanEnv(pipEnv) })
  const timings: Record<'cold' | 'warmVenv', Map<string, number>[]> = { cold: [], warmVenv: [] }
  const action = async (python: string, extra: Record<string, string>, phasesOf?: keyof typeof timings, build = ACTION) => {
    const run = await runAction({ release: 'queens', python, 'index-url': world.indexUrl, constraints: world.constraintsUrl('queens'), ...extra }, env, build)
    if (run.code !== 0) throw new Error(`action failed:\n${run.stdout}`)
    if (phasesOf) timings[phasesOf].push(phases(run.summary))
  }
  const samples: Record<'bare' | 'cold' | 'warmPip' | 'warmVenv' | 'warmVenvVs' | 'venvFloor' | 'noopBare' | 'noopAction', number[]> = {
    bare: [],
    cold: [],
    warmPip: [],
    warmVenv: [],
    warmVenvVs: [],
    venvFloor: [],
    noopBare: [],
    noopAction: []
  }
  try {
    // Seed the caches the warm runs restore.
    await action(fresh(), { cache: 'pip', 'cache-key-suffix': 'warm' })
    await action(fresh(), { cache: 'venv', 'venv-path': venvPath, 'cache-key-suffix': 'warm' })
    for (let round = 0; round < ROUNDS; round++) {
      let python = fresh()
      samples.bare.push(await timed(() => bare(python)))
      samples.noopBare.push(await timed(() => bare(python)))
      samples.noopAction.push(await timed(() => action(python, { cache: 'false' })))
      python = fresh()
      samples.cold.push(await timed(() => action(python, { cache: 'pip', 'cache-key-suffix': `cold-${round}` }, 'cold')))
      python = fresh()
      samples.warmPip.push(await timed(() => action(python, { cache: 'pip', 'cache-key-suffix': 'warm' })))
      const builds = VS ? [ACTION, VS] : [ACTION]
      for (const build of round % 2 ? builds.reverse() : builds) {
        python = fresh()
        const seconds = await timed(() => action(python, { cache: 'venv', 'venv-path': venvPath, 'cache-key-suffix': 'warm' }, build === ACTION ? 'warmVenv' : undefined, build))
        samples[build === ACTION ? 'warmVenv' : 'warmVenvVs'].push(seconds)
      }
      const archive = path.join(shared, 'venv.tar.zst')
      execFileSync('tar', ['-cf', archive, '--use-compress-program', 'zstd -T0', '-C', venvPath, '.'])
      const unpacked = path.join(shared, `floor-${round}`)
      fs.mkdirSync(unpacked)
      samples.venvFloor.push(
        await timed(async () => {
          await promisify(execFile)('tar', ['-xf', archive, '--use-compress-program', 'unzstd', '-C', unpacked])
          await promisify(execFile)(path.join(unpacked, 'bin', 'python'), ['-c', 'import nova_dpm'], { env: cleanEnv() })
        })
      )
    }
  } finally {
    await world.close()
    await service.close()
  }
  const floor = median(samples.bare)
  const archive = fs.statSync(path.join(shared, 'venv.tar.zst')).size
  console.log(`${nova ? `nova-sized: ${NOVA_DEPENDENCIES}` : w} dependencies; the venv: ${countFiles(venvPath)} files, ${(archive / 2 ** 20).toFixed(1)} MiB as tar.zst`)
  const rows: [string, number[], Map<string, number>[]?][] = [
    ['bare pip install -c (the floor)', samples.bare],
    ['action, cold (cache: pip, saves)', samples.cold, timings.cold],
    ['action, warm pip cache', samples.warmPip],
    ['action, warm venv cache', samples.warmVenv, timings.warmVenv],
    ...(VS ? [['  the same, BENCH_VS', samples.warmVenvVs] as [string, number[]]] : []),
    ['floor of a warm venv (untar + import)', samples.venvFloor]
  ]
  for (const [label, xs, runs] of rows) {
    const seconds = median(xs)
    const spread = `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`
    console.log(`  ${label.padEnd(38)} ${seconds.toFixed(2).padStart(6)} s   ${(seconds / floor).toFixed(2)} x bare   (${spread})`)
    if (runs) printPhases(runs)
  }
  const noop = median(samples.noopAction) - median(samples.noopBare)
  console.log(`  no-op re-run: bare ${median(samples.noopBare).toFixed(2)} s, action ${median(samples.noopAction).toFixed(2)} s: fixed cost ${noop.toFixed(2)} s\n`)
}

function countFiles(dir: string): number {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter(entry => !entry.isDirectory()).length
}
