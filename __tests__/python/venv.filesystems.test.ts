/**
 * createVenv on a file system that refuses: read-only, or full. Each case
 * runs in a child process of its own user and mount namespace (`unshare -r
 * -m`), where a read-only bind mount or a small tmpfs is real without root.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'
import { pyenvPython } from '../fixtures/pythons.js'
import { cleanEnv, tempDir } from '../fixtures/runAction.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const LIMIT_MS = 120_000

/** What createVenv says about `target` after `mount` ran in the namespace: the ActionError's message, or "created". */
function createIn(mount: string, mountPoint: string, base: string, target: string): Promise<string> {
  const child = path.join(tempDir('nova-dpm-venv-child-'), 'child.mts')
  fs.writeFileSync(
    child,
    `import { Interpreter } from ${JSON.stringify(path.join(repoRoot, 'src/python/interpreter.ts'))}\n` +
      `import { createVenv } from ${JSON.stringify(path.join(repoRoot, 'src/python/venv.ts'))}\n` +
      'const base = await Interpreter.probe(process.argv[2])\n' +
      "try { await createVenv(base, process.argv[3]); console.log('RESULT:created') } catch (error) { console.log('RESULT:' + error.message) }\n"
  )
  const env = cleanEnv({ RUNNER_TEMP: mountPoint, TMPDIR: tempDir('nova-dpm-venv-tmp-') })
  return new Promise((resolve, reject) => {
    execFile(
      'unshare',
      ['-r', '-m', 'sh', '-c', `${mount} && exec "$0" --import tsx "$@"`, process.execPath, child, base, target],
      { env, cwd: repoRoot, timeout: LIMIT_MS },
      (error, stdout, stderr) => {
        const result = /^RESULT:(.*)$/m.exec(stdout)?.[1]
        if (result !== undefined) resolve(result)
        else reject(new Error(`the child said nothing about the venv (${error?.message}):\n${stdout}\n${stderr}`))
      }
    )
  })
}

describe('createVenv where the file system refuses', () => {
  it('a read-only RUNNER_TEMP: the directory and what to change are named', { timeout: LIMIT_MS + 10_000 }, async () => {
    const runnerTemp = tempDir('nova-dpm-read-only-')
    const target = path.join(runnerTemp, 'setup-nova-dpm', 'venv-nova-dpm')
    const said = await createIn(`mount --bind "${runnerTemp}" "${runnerTemp}" && mount -o remount,bind,ro "${runnerTemp}"`, runnerTemp, pyenvPython('3.11'), target)
    assert.equal(
      said,
      `Could not create the virtual environment at ${target}: ${runnerTemp} is on a read-only file system. Set 'venv-path' to a directory with ` +
        `room that this user can write (the default is under RUNNER_TEMP, ${runnerTemp}).`
    )
  })

  it('a full disk: "no space left", not ensurepip\'s exit status', { timeout: LIMIT_MS + 10_000 }, async () => {
    const runnerTemp = tempDir('nova-dpm-full-')
    const target = path.join(runnerTemp, 'venv')
    // Room for the interpreter links and the standard files, not for the pip ensurepip unpacks.
    const said = await createIn(`mount -t tmpfs -o size=1m tmpfs "${runnerTemp}"`, runnerTemp, pyenvPython('3.11'), target)
    assert.match(said, new RegExp(`^Could not create a virtual environment at ${target}: no space left on the file system of ${target} \\(.+\\)\\. Free space there, or set 'venv-path'`))
  })
})
