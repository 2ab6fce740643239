import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Readable } from 'node:stream'
import { after, describe, it } from 'node:test'
import { runProcess } from '../../src/io/process.js'
import { stdoutDuring } from '../fixtures/assertions.js'
import { alive } from '../fixtures/processes.js'

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

  it('keeps only the tail of a runaway output', async () => {
    const result = await runProcess('sh', ['-c', 'head -c 5000000 /dev/zero | tr "\\0" x; echo END'], { what: 'flood', timeoutMs: 10_000 })
    assert.ok(result.stdout.length < 2_200_000)
    assert.match(result.stdout, /^\[earlier output dropped\]/)
    assert.match(result.stdout, /END\n$/)
  })

  it('feeds its input from a stream and hands its output over as it comes, stopping it past the bound', async () => {
    const taken: Buffer[] = []
    const fed = await runProcess('cat', [], { what: 'cat', timeoutMs: 5_000, input: Readable.from([Buffer.from('a'), Buffer.from('bc')]), output: { maxBytes: 10, take: chunk => void taken.push(chunk) } })
    assert.equal(fed.exitCode, 0)
    assert.equal(Buffer.concat(taken).toString(), 'abc')
    assert.equal(fed.stdout, '', 'handed over, not captured too')
    const flood = await runProcess('sh', ['-c', 'head -c 5000000 /dev/zero'], { what: 'flood', timeoutMs: 5_000, output: { maxBytes: 1_000_000, take: () => undefined } })
    assert.equal(flood.overflowed, true)
    assert.notEqual(flood.exitCode, 0)
    assert.match(flood.stderr, /flood wrote more than 1000000 bytes and was stopped/)
  })

  it('reads no more while a taker waits, and loses nothing when the program exits meanwhile, past the grace for held pipes', { timeout: 20_000 }, async () => {
    // 4 MB: far more than a pipe holds, so the program can end only once the reading goes on.
    const script = 'head -c 4000000 /dev/zero; echo exited >&2'
    let received = 0
    let firstWait: number | undefined
    const started = Date.now()
    const result = await runProcess('sh', ['-c', script], {
      what: 'sh',
      timeoutMs: 15_000,
      output: {
        maxBytes: 10_000_000,
        take: chunk => {
          received += chunk.length
          if (firstWait !== undefined) return undefined
          firstWait = Date.now()
          return new Promise(resolve => setTimeout(resolve, 500))
        }
      }
    })
    assert.equal(result.exitCode, 0)
    assert.equal(received, 4_000_000)
    assert.ok(Date.now() - started >= 500, 'the run waited for the taker')
    // Exits while the taker waits (the rest of its output fits the pipe), longer than the grace the pipes get after an exit: the rest is still read.
    let late = 0
    let waited = false
    const exitedFirst = await runProcess('sh', ['-c', 'head -c 30000 /dev/zero; sleep 0.2; head -c 30000 /dev/zero'], {
      what: 'sh',
      timeoutMs: 15_000,
      output: {
        maxBytes: 10_000_000,
        take: chunk => {
          late += chunk.length
          if (waited) return undefined
          waited = true
          return new Promise(resolve => setTimeout(resolve, 2_500))
        }
      }
    })
    assert.equal(exitedFirst.exitCode, 0)
    assert.equal(late, 60_000)
    assert.doesNotMatch(exitedFirst.stderr, /still held open/)
  })

  it('gives its standard input to a writer that feeds it itself', async () => {
    const taken: Buffer[] = []
    const result = await runProcess('cat', [], {
      what: 'cat',
      timeoutMs: 5_000,
      input: stdin => {
        stdin.cork()
        for (const part of ['a', 'b', 'c']) stdin.write(part)
        stdin.uncork()
        stdin.end()
      },
      output: { maxBytes: 10, take: chunk => void taken.push(chunk) }
    })
    assert.equal(result.exitCode, 0)
    assert.equal(Buffer.concat(taken).toString(), 'abc')
  })

  it('a program that exits without reading its input ends the run with its own status', async () => {
    const input = Readable.from((function* () {
      for (let i = 0; i < 200; i++) yield Buffer.alloc(65536, 0x78)
    })())
    const result = await runProcess('sh', ['-c', 'exit 4'], { what: 'sh', timeoutMs: 5_000, input })
    assert.equal(result.exitCode, 4)
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

/** Daemons a test leaves; killed at the end whatever happened. */
const daemons: number[] = []
function daemon(pid: number): number {
  daemons.push(pid)
  return pid
}

describe('the process runner and what a child leaves behind', { timeout: 30_000 }, () => {
  after(() => {
    for (const pid of daemons.filter(alive)) process.kill(pid, 'SIGKILL')
  })

  it('ends when the child exits, though a daemon in another session holds its output', async () => {
    const started = Date.now()
    // setsid: the daemon leaves the child's process group and session, with its stdout.
    const { value: result, out: log } = await stdoutDuring(() =>
      runProcess('sh', ['-c', 'setsid sleep 1000 & echo $!; exit 4'], { what: 'the wrapper', timeoutMs: 20_000 })
    )
    const held = daemon(Number(result.stdout.trim()))
    assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`)
    assert.match(log, new RegExp(`the wrapper has exited, leaving 'sleep 1000' \\(pid ${held}\\) running, and its output is still held open; the action stopped reading it and goes on\\.\n`))
    assert.equal(result.exitCode, 4)
    assert.equal(result.timedOut, false)
    assert.ok(alive(held), 'a child that exited normally keeps what it started')
    process.kill(held, 'SIGKILL')
  })

  it('at the time limit, also stops what the child left in another session', async () => {
    const started = Date.now()
    const result = await runProcess('sh', ['-c', 'setsid sleep 1000 & echo $!; wait'], { what: 'the wrapper', timeoutMs: 500 })
    const held = daemon(Number(result.stdout.trim()))
    assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`)
    assert.equal(result.timedOut, true)
    assert.match(
      result.stderr,
      new RegExp(`the wrapper did not finish within 1 s and was stopped, and with it what it had left running outside its process group, which may have held it: 'sleep 1000' \\(pid ${held}\\)\\.$`)
    )
    await new Promise(r => setTimeout(r, 200))
    assert.equal(alive(held), false)
  })

  it('kills at the time limit what ignores SIGTERM, in the group and outside it', async () => {
    const script = "trap '' TERM; setsid sh -c \"trap '' TERM; exec sleep 1000\" & echo $!; while :; do sleep 0.1; done"
    const result = await runProcess('sh', ['-c', script], { what: 'the stubborn', timeoutMs: 300 })
    const held = daemon(Number(result.stdout.trim()))
    assert.equal(result.timedOut, true)
    await new Promise(r => setTimeout(r, 2500))
    assert.equal(alive(held), false, 'killed after the grace')
  })

  it('on cancel, stops the running trees, what finished children left behind and what runs below, and says so', () => {
    // In a process of its own, as the action is: everything below it is stopped.
    const script = `
      import { spawn } from 'node:child_process'
      import { runProcess, stopEverything } from ${JSON.stringify(new URL('../../src/io/process.ts', import.meta.url).pathname)}
      const left = await runProcess('sh', ['-c', 'setsid sleep 1000 & echo $!'], { what: 'the wrapper', timeoutMs: 10_000 })
      // Started as the cache library starts tar: not through the runner.
      const other = spawn('sleep', ['999'], { stdio: 'ignore' })
      const running = runProcess('sh', ['-c', 'sleep 998 & echo $!; wait'], { what: 'the sleeper', timeoutMs: 20_000 })
      await new Promise(r => setTimeout(r, 300))
      const report = stopEverything()
      const grandchild = Number((await running).stdout)
      console.log(JSON.stringify({ pids: [Number(left.stdout), other.pid, grandchild], report }))
    `
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 })
    const { pids, report } = JSON.parse(out.trim().split('\n').pop()!) as { pids: number[]; report: { stopped: string[]; left: string[] } }
    pids.forEach(daemon)
    assert.deepEqual(pids.filter(alive), [])
    assert.deepEqual(report.left, [])
    // tsx's compiler runs below the script, as nothing does below the bundled action.
    assert.deepEqual(report.stopped.filter(name => name !== 'esbuild').sort(), ['sleep (3)', 'the sleeper'])

  })
})
