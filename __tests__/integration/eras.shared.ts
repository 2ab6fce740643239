/**
 * What the era suites (eras-*.test.ts) share: one interpreter's whole story
 * through `node dist/index.js`, against a loopback world serving the REAL
 * upper-constraints.txt of each series.
 *
 * Each suite file covers one interpreter and runs its tests one after
 * the other: the world's server lives in the test process, and the fixtures'
 * synchronous helpers (makeVenvWith, installed, py) stop its event loop while
 * they run, so a pip running beside them would wait on a server that cannot
 * answer. The runner runs two suite files side by side instead.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { promisify } from 'node:util'
import type { CacheService } from '../fixtures/cacheService.js'
import { pyenvPython, type PythonVersion } from '../fixtures/pythons.js'
import { cleanEnv, installed, messages, py, runAction, tempDir, type ActionRun } from '../fixtures/runAction.js'
import { git, GIT_VERSIONS } from '../fixtures/repos.js'
import { useCacheService, useWorld } from '../fixtures/suite.js'
import { installInputs, type World } from '../fixtures/world.js'

/** zhmcclient / os-dpm as each real upper-constraints.txt pins them (fixtures/constraints/SOURCE.md). */
export const PINS = {
  ocata: { zhmcclient: '0.9.0', 'os-dpm': '1.0.0' },
  pike: { zhmcclient: '0.14.0', 'os-dpm': '1.1.0' },
  queens: { zhmcclient: '0.18.0', 'os-dpm': '1.1.0' }
} as const
export type Series = keyof typeof PINS

/** The newest nova-dpm of each series on the fixture index. */
const RELEASED: Record<Series, string> = { ocata: '1.0.1', pike: '2.0.1', queens: '3.0.0' }

export const PKG_RESOURCES_ADDED = /has no working pkg_resources, which pbr needs .*; installing 'setuptools<82' alongside\./
const UNTESTED = /was tested on Python 2\.7 and 3\.5; .* fail on Python (\d\.\d+)\. .*container: python:2\.7, or Python 3\.9 or older\) and set 'python: \/usr\/local\/bin\/python'/

/** Not execFileSync: the world's server must keep answering (pip upgrading itself from it, for one). */
export const execAsync = promisify(execFile)

export interface Era {
  world: World
  service: CacheService
}

/** A world and a cache service for the calling suite, started before its tests and stopped after. */
export function useEra(): Era {
  return { world: useWorld(), service: useCacheService() }
}

/** Release mode for a series with its real constraints, straight into `python` unless `extra` says otherwise. */
export function releaseRun(era: Era, series: Series, python: string, extra: Record<string, string> = {}, env: Record<string, string | undefined> = {}): Promise<ActionRun> {
  return runAction(installInputs(era.world, { release: series, python, constraints: era.world.realConstraintsUrl(series), ...extra }), env)
}

/** Mode stable for a series: nova-dpm from the fixture repository, with the series' real constraints. */
export function stableRun(era: Era, series: Series, python: string): Promise<ActionRun> {
  return runAction(
    installInputs(era.world, { release: series, mode: 'stable', python, repository: era.world.repos['nova-dpm'], constraints: era.world.realConstraintsUrl(series) })
  )
}

/**
 * A release installed into `target`: the series' newest nova-dpm, its
 * dependencies at the real pins, the outputs, and the untested-runtime
 * warning exactly when the interpreter is not one the series gated on.
 */
export function assertRelease(era: Era, run: ActionRun, target: string, series: Series, version: PythonVersion): void {
  assert.equal(run.code, 0, run.stdout)
  assert.equal(run.outputs.version, RELEASED[series])
  assert.deepEqual(JSON.parse(run.outputs.versions), { 'nova-dpm': RELEASED[series] })
  assert.equal(run.outputs['python-path'], py(target, 'import sys; print(sys.executable)'))
  assert.equal(run.outputs['constraints-url'], era.world.realConstraintsUrl(series))
  assert.equal(run.outputs.commit, '')
  const pkgs = installed(target)
  assert.equal(pkgs['nova-dpm'], RELEASED[series])
  assert.equal(pkgs.zhmcclient, PINS[series].zhmcclient)
  assert.equal(pkgs['os-dpm'], PINS[series]['os-dpm'])
  assert.equal(py(target, 'import sys; print("%d.%d" % sys.version_info[:2])'), version)
  const untested = messages(run, 'warning').flatMap(m => m.match(UNTESTED)?.[1] ?? [])
  // The drivers' closure installs on 2.7 and 3.5 to 3.9; later Pythons are warned about.
  const [major, minor] = version.split('.').map(Number)
  assert.deepEqual(untested, major === 2 || minor <= 9 ? [] : [version], messages(run, 'warning').join('\n'))
}

/** Installed straight into the interpreter: no venv, nothing exported to later steps. */
export function assertNoVenv(run: ActionRun): void {
  assert.deepEqual(run.exported, {})
  assert.deepEqual(run.paths, [])
}

/** stable/<series> (ocata: its -eol tag) of nova-dpm is what `target` has, at the commit reported, with that series' pins. */
export function assertStable(era: Era, run: ActionRun, target: string, series: Series): void {
  assert.equal(run.code, 0, run.stdout)
  const ref = series === 'ocata' ? 'ocata-eol' : (`stable/${series}` as const)
  const version = GIT_VERSIONS[ref]
  assert.equal(run.outputs.commit, git(era.world.repos['nova-dpm'], 'rev-parse', `${ref}^{commit}`))
  assert.equal(run.outputs.version, version)
  assert.deepEqual(JSON.parse(run.outputs.versions), { 'nova-dpm': version })
  const pkgs = installed(target)
  assert.equal(pkgs['nova-dpm'], version, 'the branch replaced the release installed before')
  assert.equal(pkgs.zhmcclient, PINS[series].zhmcclient)
  assert.equal(pkgs['os-dpm'], PINS[series]['os-dpm'])
  assert.equal(py(target, 'import nova_dpm; print(nova_dpm.__version__)'), version)
}

/**
 * `venv: true` from the pyenv interpreter itself: a new environment at
 * venv-path, the release in it, the environment exported, the interpreter
 * left as it was. Returns the run and the environment's python.
 */
export async function venvTrueRun(era: Era, version: PythonVersion, series: Series): Promise<{ run: ActionRun; python: string }> {
  const base = pyenvPython(version)
  const before = installed(base)
  const venv = path.join(tempDir(`nova-dpm-venv-true${version}-`), 'venv')
  const result = await releaseRun(era, series, base, { venv: 'true', 'venv-path': venv })
  const python = path.join(venv, 'bin', 'python')
  assertRelease(era, result, python, series, version)
  assert.equal(result.outputs['python-path'], python)
  assert.equal(result.exported.VIRTUAL_ENV, venv)
  assert.deepEqual(result.paths, [path.join(venv, 'bin')])
  assert.equal(py(python, 'import sys; print(sys.prefix != getattr(sys, "base_prefix", getattr(sys, "real_prefix", sys.prefix)))'), 'True')
  assert.deepEqual(installed(base), before, 'the interpreter the venv was made from is left alone')
  return { run: result, python }
}

/**
 * The venv cache on a fresh runner each time (same venv-path, an empty pip
 * cache): the cold run creates, installs, verifies and saves; the warm one
 * restores, verifies and runs no pip at all.
 */
export async function venvCacheRuns(era: Era, version: PythonVersion, series: Series): Promise<{ cold: ActionRun; warm: ActionRun; python: string }> {
  const shared = tempDir(`nova-dpm-cache${version}-`)
  const venv = path.join(shared, 'venv')
  const python = path.join(venv, 'bin', 'python')
  const suffix = `eras-${version}`
  const inputs = { cache: 'venv', 'venv-path': venv, 'cache-key-suffix': suffix }
  const runner = (name: string) => ({ ...era.service.env, PIP_CACHE_DIR: path.join(shared, name) })

  const cold = await releaseRun(era, series, pyenvPython(version), inputs, runner('pip-cold'))
  assertRelease(era, cold, python, series, version)
  assert.equal(cold.outputs['cache-hit'], 'false')
  assert.equal(cold.exported.VIRTUAL_ENV, venv)
  const keys = era.service.committedKeys().filter(k => k.includes(suffix))
  assert.equal(keys.length, 1, `the cold run saved the venv: ${era.service.committedKeys().join(', ')}`)
  const pkgs = installed(python)

  fs.rmSync(venv, { recursive: true })
  const warm = await releaseRun(era, series, pyenvPython(version), inputs, runner('pip-warm'))
  assertRelease(era, warm, python, series, version)
  assert.equal(warm.outputs['cache-hit'], 'true')
  assert.doesNotMatch(warm.stdout, /-m pip install/)
  assert.doesNotMatch(warm.stdout, /\[command\].*(-m venv|virtualenv)/)
  assert.match(warm.stdout, new RegExp(`Cached venv holds nova-dpm ${RELEASED[series].replace(/\./g, '\\.')}.*; pip not needed\\.`))
  assert.equal(warm.exported.VIRTUAL_ENV, venv)
  assert.deepEqual(installed(python), pkgs)
  assert.deepEqual(era.service.committedKeys().filter(k => k.includes(suffix)), keys, 'an exact hit is not saved again')
  return { cold, warm, python }
}

/** Runs pip in an environment without this machine's pip configuration, asynchronously. */
export async function pip(python: string, ...args: string[]): Promise<void> {
  await execAsync(python, ['-m', 'pip', ...args], { env: cleanEnv() })
}
