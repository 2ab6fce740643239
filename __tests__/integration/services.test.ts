/**
 * Nova and Neutron beside the drivers, through `node dist/index.js`: release
 * and stable modes with the real constraints of Queens, on the era's 2.7 and
 * 3.6 and on a current 3.x; the drivers loaded the way the services load
 * them; a driver fork's own unit tests against the series' Nova. Each run
 * installs into a copy of a pyenv interpreter (venv: auto installs into an
 * interpreter that is not externally managed), never into pyenv's own.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { copiedPython } from '../fixtures/pythons.js'
import { makeLocalProject, SERVICE_GIT_VERSIONS } from '../fixtures/repos.js'
import { cleanEnv, messages, runAction, tempDir } from '../fixtures/runAction.js'
import { dpmProject } from '../fixtures/services.js'
import { useWorld } from '../fixtures/suite.js'
import { installInputs } from '../fixtures/world.js'

const execAsync = promisify(execFile)

describe('Nova and Neutron beside the drivers', () => {
  const world = useWorld()

  const run = (inputs: Record<string, string>) =>
    runAction(installInputs(world, { release: 'queens', constraints: world.realConstraintsUrl('queens'), ...inputs }))

  it("Python 2.7, release: a compute node's set, Queens' newest Nova beside nova-dpm, the driver loaded through Nova's shim", { timeout: 240_000 }, async () => {
    const result = await run({ package: 'nova-dpm nova', python: copiedPython('2.7') })
    assert.equal(result.code, 0, result.stdout)
    assert.deepEqual(JSON.parse(result.outputs.versions), { 'nova-dpm': '3.0.0', nova: '17.0.13' })
    assert.match(result.outputs['pip-spec'], /^nova-dpm>=3\.0\.0,<4\.0\.0 nova>=17\.0\.0,<18\.0\.0$/)
    assert.match(result.stdout, /nova-dpm loads the way nova loads it: nova_dpm\.virt\.dpm\.driver\.DPMDriver is a nova\.virt\.driver\.ComputeDriver; nova\.virt\.dpm\.driver\.DPMDriver is a nova\.virt\.driver\.ComputeDriver\./)
    assert.deepEqual(messages(result, 'notice'), [])
    assert.match(result.summary, /<td>Driver loads<\/td><td>nova-dpm loads the way nova loads it: nova_dpm\.virt\.dpm\.driver\.DPMDriver is a nova\.virt\.driver\.ComputeDriver/)
    assert.match(result.summary, /<td>Python<\/td><td>2\.7\.18, pip 19\.2\.3 /)
    assert.match(result.summary, /<td>Total \(phases overlap\)<\/td><td>\d+\.\d s<\/td>/)
  })

  it('Python 3.6, release: both drivers and both services in one run, each driver loaded the way its service loads it', { timeout: 240_000 }, async () => {
    const result = await run({ package: 'nova-dpm nova networking-dpm neutron', python: copiedPython('3.6') })
    assert.equal(result.code, 0, result.stdout)
    assert.deepEqual(JSON.parse(result.outputs.versions), { 'nova-dpm': '3.0.0', nova: '17.0.13', 'networking-dpm': '3.0.0', neutron: '12.1.1' })
    assert.match(result.stdout, /nova-dpm loads the way nova loads it/)
    assert.match(result.stdout, /networking-dpm loads the way neutron loads it/)
  })

  it('Python 2.7, stable: Neutron from its queens-eol tag (the branch is gone) beside networking-dpm; the mechanism driver and agent load', { timeout: 240_000 }, async () => {
    const result = await run({
      package: 'networking-dpm neutron',
      mode: 'stable',
      python: copiedPython('2.7'),
      repository: path.join(path.dirname(world.repos.nova), '{package}')
    })
    assert.equal(result.code, 0, result.stdout)
    const versions = JSON.parse(result.outputs.versions) as Record<string, string>
    assert.equal(versions.neutron, SERVICE_GIT_VERSIONS.neutron['queens-eol'])
    assert.ok(messages(result, 'notice').some(m => /stable\/queens no longer exists .* installing the queens-eol tag/.test(m)), result.stdout)
    assert.match(result.stdout, /networking-dpm loads the way neutron loads it: entry point neutron\.ml2\.mechanism_drivers:dpm loads networking_dpm\.ml2\.mech_dpm:DPMMechanismDriver; script neutron-dpm-agent is installed\./)
  })

  it('Python 3.12: a driver without its service installs, with a notice that says how to add the service', { timeout: 240_000 }, async () => {
    const result = await run({ package: 'nova-dpm', python: copiedPython('3.12') })
    assert.equal(result.code, 0, result.stdout)
    const [notice] = messages(result, 'notice')
    assert.match(notice, /nova-dpm is installed without nova: its driver modules import nova, .* 'package: nova-dpm nova'/)
    assert.match(result.summary, /<td>Driver loads<\/td><td>nova-dpm is installed without nova: its driver modules import nova/)
  })

  it("Python 3.12: a nova-dpm fork's CI, package nova + -e the checkout; its own unit tests then pass against Queens' Nova", { timeout: 240_000 }, async () => {
    const checkout = makeLocalProject(path.join(tempDir('nova-dpm-fork-'), 'fork'), { ...dpmProject('nova-dpm', '3.0.1.dev3'), layout: 'setup.cfg' })
    const result = await run({ package: 'nova', python: copiedPython('3.12'), requirements: `-e ${checkout}` })
    assert.equal(result.code, 0, result.stdout)
    assert.equal(JSON.parse(result.outputs.versions).nova, '17.0.13')
    assert.match(result.stdout, /An editable install cannot provide nova\.virt\.dpm\.driver inside nova's package/)
    assert.match(result.stdout, /nova-dpm loads the way nova loads it: nova_dpm\.virt\.dpm\.driver\.DPMDriver is a nova\.virt\.driver\.ComputeDriver\./)
    const tests = await execAsync(result.outputs['python-path'], ['-m', 'unittest', 'discover', '-s', 'nova_dpm/tests', '-t', '.', '-v'], { cwd: checkout, env: cleanEnv() })
    assert.match(tests.stderr, /Ran 2 tests[\s\S]*OK/)
  })

  it('a driver that does not load as Nova loads it fails the step, naming the module and quoting the import error', { timeout: 240_000 }, async () => {
    const checkout = makeLocalProject(path.join(tempDir('nova-dpm-fork-'), 'broken'), { ...dpmProject('nova-dpm', '3.0.1.dev4'), layout: 'setup.cfg' })
    fs.writeFileSync(path.join(checkout, 'nova_dpm', 'virt', 'dpm', 'driver.py'), 'import zhmc_native_library\n')
    const result = await run({ package: 'nova', python: copiedPython('3.12'), requirements: checkout })
    assert.notEqual(result.code, 0)
    const [error] = messages(result, 'error')
    assert.match(error, /nova-dpm does not load the way nova loads it \(nova_dpm\.virt\.dpm\.driver\.DPMDriver\): 'nova_dpm\.virt\.dpm\.driver' would not load: .*No module named '?zhmc_native_library/)
  })

  it("release mode: an index without the series' Nova fails naming 'mode: stable' and where it builds from", { timeout: 240_000 }, async () => {
    const result = await run({ package: 'nova-dpm nova', python: copiedPython('3.6'), 'index-url': world.indexWithout('nova') })
    assert.notEqual(result.code, 0)
    const [error] = messages(result, 'error')
    assert.match(error, /There is no project "nova" on /)
    assert.match(error, /The newest nova of queens is 17\.0\.13; nova went to PyPI only from 2018-08-30.* Use 'mode: stable' to build nova from its queens code .*queens-eol tag .*https:\/\/opendev\.org\/openstack\/nova/)
  })
})
