import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import { describe, it } from 'node:test'
import { runProcess, stopAll } from '../../src/io/process.js'

/** Running, not a zombie waiting for a reaper (a container's init may reap late). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

describe('the process runner', { timeout: 30_000 }, () => {
  it('captures output and the exit code, with every argument passed as one', async () => {
    const result = await runProcess('sh', ['-c', 'printf "%s|" "$@"; echo oops >&2; exit 3', 'sh', 'a b', '$(touch x)'], { what: 'sh', timeoutMs: 5_000 })
    assert.equal(result.exitCode, 3)
    assert.equal(result.stdout, 'a b|$(touch x)|')
    assert.equal(result.stderr.trim(), 'oops')
    assert.equal(result.timedOut, false)
  })

  it('kills the whole process tree at the time limit, grandchildren included', async () => {
    const started = Date.now()
    // The grandchild writes its pid, then sleeps far past the limit.
    const result = await runProcess('sh', ['-c', 'sleep 60 & echo $!; wait'], { what: 'the sleeper', timeoutMs: 500 })
    assert.ok(Date.now() - started < 5_000)
    assert.equal(result.timedOut, true)
    assert.match(result.stderr, /the sleeper did not finish within 1 s and was stopped/)
    const grandchild = Number(result.stdout.trim())
    await new Promise(r => setTimeout(r, 200))
    assert.equal(alive(grandchild), false, 'the grandchild was killed with its group')
  })

  it('stops every running tree when the job is cancelled', async () => {
    const run = runProcess('sh', ['-c', 'sleep 60 & echo $!; wait'], { what: 'sleeper', timeoutMs: 60_000 })
    await new Promise(r => setTimeout(r, 300))
    stopAll('SIGTERM')
    const result = await run
    assert.notEqual(result.exitCode, 0)
    await new Promise(r => setTimeout(r, 200))
    assert.equal(alive(Number(result.stdout.trim())), false)
  })

  it('keeps only the tail of a runaway output', async () => {
    const result = await runProcess('sh', ['-c', 'head -c 5000000 /dev/zero | tr "\\0" x; echo END'], { what: 'flood', timeoutMs: 10_000 })
    assert.ok(result.stdout.length < 2_200_000)
    assert.match(result.stdout, /^\[earlier output dropped\]/)
    assert.match(result.stdout, /END\n$/)
  })

  it('streams output with workflow commands switched off around it', () => {
    const script = `
      import { runProcess } from ${JSON.stringify(new URL('../../src/io/process.ts', import.meta.url).pathname)}
      await runProcess('printf', ['::set-output name=x::y\\n::warning::injected'], { what: 'printf', timeoutMs: 5000, stream: true })
    `
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' })
    const lines = out.split('\n')
    const stop = lines.findIndex(l => l.startsWith('::stop-commands::'))
    const token = lines[stop].slice('::stop-commands::'.length)
    const injected = lines.findIndex(l => l === '::warning::injected')
    const resume = lines.indexOf(`::${token}::`)
    assert.ok(stop >= 0 && stop < lines.indexOf('::set-output name=x::y') && injected < resume, out)
    assert.ok(token.length >= 32)
  })
})
