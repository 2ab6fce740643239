/**
 * CPython 2.7.18, the era's first runtime (see eras.shared.ts): no venv
 * module, pip 19.2.3 with the legacy resolver, virtualenv from Debian.
 */
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { copiedPython, pyenvPython } from '../fixtures/pythons.js'
import { installed, messages, tempDir } from '../fixtures/runAction.js'
import { assertNoVenv, assertRelease, assertStable, PKG_RESOURCES_ADDED, execAsync, releaseRun, stableRun, useEra, venvCacheRuns, venvTrueRun } from './eras.shared.js'

describe('Python 2.7.18 through dist/index.js', () => {
  const era = useEra()

  it('venv: auto uses a 2.7 that is not externally managed directly: ocata at its real pins, then stable/queens from git replaces it', { timeout: 150_000 }, async () => {
    // A cp -a copy: the action installs into the interpreter itself, named as it is found on PATH.
    const python = copiedPython('2.7')
    const setuptools = installed(python).setuptools
    const ocata = await releaseRun(era, 'ocata', 'python', {}, { PATH: `${path.dirname(python)}${path.delimiter}${process.env.PATH}` })
    assertRelease(era, ocata, python, 'ocata', '2.7')
    assertNoVenv(ocata)
    assert.doesNotMatch(ocata.stdout, /\[command\].*(-m venv|virtualenv)/)
    assert.doesNotMatch(ocata.stdout, PKG_RESOURCES_ADDED)
    assert.equal(installed(python).setuptools, setuptools, 'a working setuptools is left as it is')
    assert.ok(era.world.requests.includes('/real/requirements/raw/tag/ocata-eol/upper-constraints.txt'), 'the constraints came through the 301 to the -eol tag')

    const queens = await stableRun(era, 'queens', python)
    assertStable(era, queens, python, 'queens')
    assertNoVenv(queens)
    // pip 19.2's legacy resolver keeps an installed project given as a URL unless asked to upgrade.
    assert.match(queens.stdout, /\[command\]\S+ -E -s -m pip install .*--upgrade .*git\+file:/)
  })

  it("venv: true makes the environment with Debian's virtualenv (--no-seed, then ensurepip) and exports it: pike at its real pins", { timeout: 150_000 }, async () => {
    const { run: pike, python } = await venvTrueRun(era, '2.7', 'pike')
    assert.match(pike.stdout, /\[command\]\/usr\/bin\/virtualenv --no-seed --python \S+\/2\.7\.18\/bin\/python /)
    assert.match(pike.stdout, /\[command\]\S+\/bin\/python -E -m ensurepip --default-pip/)
    assert.match(fs.readFileSync(path.join(path.dirname(path.dirname(python)), 'pyvenv.cfg'), 'utf8'), /^virtualenv = 20\.17/m)
    // The bundled pip and setuptools of 2.7, nothing downloaded for them.
    assert.equal(installed(python).pip, '19.2.3')
    assert.equal(installed(python).setuptools, '41.2.0')
  })

  it('venv: true with no virtualenv on PATH or in the interpreter fails saying how to get one', { timeout: 60_000 }, async () => {
    const python = pyenvPython('2.7')
    await assert.rejects(execAsync(python, ['-c', 'import virtualenv']), 'the pyenv 2.7 has no virtualenv module')
    const venv = path.join(tempDir('nova-dpm-novirtualenv-'), 'venv')
    const failed = await releaseRun(era, 'pike', python, { venv: 'true', 'venv-path': venv }, { PATH: tempDir('nova-dpm-empty-path-') })
    assert.equal(failed.code, 1)
    assert.deepEqual(messages(failed, 'error'), [
      `'${python}' is Python 2.7.18, which has no venv module, and neither it nor PATH has virtualenv to create a virtual environment with. ` +
        `Run '${python} -m pip install "virtualenv<20.22"' in a step before this one, or put a virtualenv older than 20.22 on PATH (Debian 12: apt-get install python3-virtualenv).`
    ])
    assert.ok(!fs.existsSync(venv), 'nothing was created')
    assert.doesNotMatch(failed.stdout, /\[command\].*-m pip install/)
  })

  it('the venv cache: queens cold (a virtualenv made, verified, saved), then a warm hit with no pip', { timeout: 180_000 }, async () => {
    await venvCacheRuns(era, '2.7', 'queens')
  })

  it("the pip cache: pip 19.2 has no 'pip cache dir', so the action caches where pip 19.2 keeps it (XDG_CACHE_HOME)", { timeout: 120_000 }, async () => {
    const shared = tempDir('nova-dpm-pipcache2.7-')
    const pipCache = path.join(shared, 'pip')
    const venv = path.join(shared, 'venv')
    const run = await releaseRun(era, 'queens', pyenvPython('2.7'), { cache: 'pip', venv: 'true', 'venv-path': venv }, { ...era.service.env, PIP_CACHE_DIR: undefined, XDG_CACHE_HOME: shared })
    assertRelease(era, run, path.join(venv, 'bin', 'python'), 'queens', '2.7')
    assert.equal(run.outputs['cache-hit'], 'false')
    assert.ok(run.stdout.includes(`'pip cache dir' named no directory (pip before 20.1 has no such command); caching ${pipCache}.`), run.stdout)
    // pip 19.2 keeps no HTTP cache for a plain-http index, even a trusted one (real indexes are https): nothing to save.
    assert.ok(run.stdout.includes(`${pipCache} is empty; nothing to cache.`), run.stdout)
    assert.deepEqual(messages(run, 'warning'), [])
  })
})
