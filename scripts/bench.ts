/**
 * `npm run bench`: wall time of installing nova-dpm for queens from the
 * loopback fixtures, measured side by side in one run, as the median of
 * ROUNDS rounds. Each round is a fresh runner: a new interpreter and an empty
 * pip cache directory. Printed as ratios to a bare `pip install -c`.
 *   BENCH_ROUNDS (default 5), BENCH_WEIGHT (dependencies, default 100),
 *   BENCH_LATENCY_MS (delay per index request, default 0: pure loopback;
 *   20 models a runner talking to a remote index)
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { startCacheService } from '../__tests__/fixtures/cacheService.js'
import { cleanEnv, makeVenv, runAction, tempDir } from '../__tests__/fixtures/runAction.js'
import { startWorld } from '../__tests__/fixtures/world.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const WEIGHT = Number(process.env.BENCH_WEIGHT ?? 100)
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 0)

const world = await startWorld({ weight: WEIGHT, latencyMs: LATENCY_MS })
const service = await startCacheService()
const shared = tempDir('nova-dpm-bench-')
const pipCache = path.join(shared, 'pip-cache')
const venvPath = path.join(shared, 'venv')
const constraints = path.join(shared, 'uc.txt')
fs.writeFileSync(constraints, await (await fetch(world.constraintsUrl('queens'))).text())

/** A fresh runner: empty pip cache, no venv, a new interpreter (made outside the timing). */
function freshRunner(): string {
  fs.rmSync(pipCache, { recursive: true, force: true })
  fs.rmSync(venvPath, { recursive: true, force: true })
  return makeVenv()
}

// pip caches nothing fetched over plain http from an untrusted host; real indexes are https.
const env = { ...service.env, PIP_CACHE_DIR: pipCache, PIP_TRUSTED_HOST: '127.0.0.1' }

async function timed(work: () => Promise<void> | void): Promise<number> {
  const started = process.hrtime.bigint()
  await work()
  return Number(process.hrtime.bigint() - started) / 1e9
}

async function action(python: string, extra: Record<string, string>): Promise<void> {
  const run = await runAction(
    { release: 'queens', python, 'index-url': world.indexUrl, constraints: world.constraintsUrl('queens'), ...extra },
    env
  )
  if (run.code !== 0) throw new Error(`action failed:\n${run.stdout}`)
}

const samples: Record<string, number[]> = { bare: [], cold: [], warmPip: [], warmVenv: [] }
try {
  // Seed the caches the warm runs restore.
  await action(freshRunner(), { cache: 'pip', 'cache-key-suffix': 'warm' })
  await action(freshRunner(), { cache: 'venv', 'venv-path': venvPath, 'cache-key-suffix': 'warm' })
  for (let round = 0; round < ROUNDS; round++) {
    let python = freshRunner()
    samples.bare.push(
      // Asynchronously: the index pip talks to is served from this process.
      await timed(async () => {
        await promisify(execFile)(python, ['-m', 'pip', 'install', '-q', '-c', constraints, '--index-url', world.indexUrl, 'nova-dpm>=3.0.0,<4.0.0'], {
          env: cleanEnv({ PIP_CACHE_DIR: pipCache })
        })
      })
    )
    python = freshRunner()
    samples.cold.push(await timed(() => action(python, { cache: 'pip', 'cache-key-suffix': `cold-${round}` })))
    python = freshRunner()
    samples.warmPip.push(await timed(() => action(python, { cache: 'pip', 'cache-key-suffix': 'warm' })))
    python = freshRunner()
    samples.warmVenv.push(await timed(() => action(python, { cache: 'venv', 'venv-path': venvPath, 'cache-key-suffix': 'warm' })))
  }
} finally {
  await world.close()
  await service.close()
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const bare = median(samples.bare)
console.log(`nova-dpm for queens, ${WEIGHT} dependencies, ${LATENCY_MS} ms per index request, median of ${ROUNDS} rounds, one run\n`)
const rows: [string, string, number][] = [
  ['bare pip install -c (floor)', 'bare', median(samples.bare)],
  ['action, cold (cache: pip, saves)', 'cold', median(samples.cold)],
  ['action, warm pip cache', 'warmPip', median(samples.warmPip)],
  ['action, warm venv cache', 'warmVenv', median(samples.warmVenv)]
]
for (const [label, , seconds] of rows) {
  console.log(`${label.padEnd(36)} ${seconds.toFixed(2).padStart(6)} s   ${(seconds / bare).toFixed(2)} x bare`)
}
console.log(`\naction overhead on a cold run: ${(median(samples.cold) - bare).toFixed(2)} s beyond pip`)
