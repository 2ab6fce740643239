import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { installed, makeVenv, messages, runAction, tempDir } from '../fixtures/runAction.js'
import { CONSTRAINTS, installInputs } from '../fixtures/world.js'
import { useWorld } from '../fixtures/suite.js'

describe('mode: release, through dist/index.js', () => {
  const world = useWorld()

  const inputs = (release: string, python: string, extra: Record<string, string> = {}) => installInputs(world, { release, python, ...extra })

  it('ocata gets the newest 1.x, with dependencies held at the constraints pins', { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const run = await runAction(inputs('ocata', python))
    assert.equal(run.code, 0, run.stdout)
    assert.equal(run.outputs.version, '1.0.1')
    assert.equal(run.outputs['pip-spec'], 'nova-dpm>=1.0.0,<2.0.0')
    assert.equal(run.outputs['constraints-url'], world.constraintsUrl('ocata'))
    assert.equal(run.outputs['python-path'], python)
    assert.equal(run.outputs.commit, '')
    assert.deepEqual(JSON.parse(run.outputs.releases), ['ocata', 'pike', 'queens'])
    const pkgs = installed(python)
    assert.equal(pkgs['nova-dpm'], '1.0.1')
    // zhmcclient 1.0.0 is on the index; the ocata constraints pin 0.9.0 (served through a redirect to the -eol tag).
    assert.equal(pkgs.zhmcclient, '0.9.0')
    assert.equal(pkgs['os-dpm'], '1.0.0')
    // The full pip command is in the log, and the constraints it got were our validated local copy.
    // pip runs isolated from PYTHONPATH and the user site (-E -s), never prompts, and keeps a full log for explaining failures.
    assert.match(
      run.stdout,
      /\[command\]\S+ -E -s -m pip install --no-input --log \S+\/pip-install-\S+\.log --constraint \S+upper-constraints\.txt --index-url http:\/\/127\.0\.0\.1:\d+\/simple\/ nova-dpm>=1\.0\.0,<2\.0\.0\n/
    )
    assert.match(run.stdout, /::group::Install nova-dpm\n/)
    assert.deepEqual(JSON.parse(run.outputs.versions), { 'nova-dpm': '1.0.1' })
    assert.deepEqual(JSON.parse(run.outputs.commits), {})
    assert.match(run.summary, /<td>nova-dpm<\/td><td>1\.0\.1 — nova-dpm&gt;=1\.0\.0,&lt;2\.0\.0<\/td>/)
    assert.match(run.summary, /<td>Install nova-dpm<\/td><td>\d+\.\d s/)
    // Python 3.11 is outside ocata's tested runtimes: warned before installing.
    assert.match(messages(run, 'warning')[0], /ocata was tested on Python 2\.7 and 3\.5; .*fail on Python 3\.11/)

    // The summary: the closure with its versions, as the closure output and the environment have it.
    const closure = JSON.parse(run.outputs.closure) as Record<string, string>
    assert.deepEqual(Object.keys(closure), ['nova-dpm', 'os-dpm', 'zhmcclient'])
    for (const [name, version] of Object.entries(closure)) assert.equal(pkgs[name], version, name)
    assert.match(run.summary, /<td>Installed closure<\/td><td>3 distributions \(listed below\)<\/td>/)
    assert.match(run.summary, /<details><summary>Installed closure \(3 distributions\)<\/summary>nova-dpm 1\.0\.1, os-dpm 1\.0\.0, zhmcclient 0\.9\.0<\/details>/)
    // The constraints as served, digested here.
    const served = await (await fetch(world.constraintsUrl('ocata'))).text()
    const digest = createHash('sha256').update(served).digest('hex')
    const lines = served.split('\n').length - (served.endsWith('\n') ? 1 : 0)
    assert.ok(run.summary.includes(`<td>Constraints file</td><td>${lines} lines, sha256 ${digest}</td>`), run.summary)
    assert.match(run.summary, /<td>Pins dropped<\/td><td>none<\/td>/)
    // What Verify proved, in the summary and in the log's Verify group.
    const verified = run.summary.match(/<td>Verified<\/td><td>3 distributions, (\d+) files \((\d+) by hash\); imported nova_dpm<\/td>/)
    assert.ok(verified && Number(verified[2]) >= 3 && Number(verified[1]) >= Number(verified[2]), run.summary)
    const group = run.stdout.slice(run.stdout.indexOf('::group::Verify\n'), run.stdout.indexOf('::endgroup::', run.stdout.indexOf('::group::Verify\n')))
    assert.match(group, new RegExp(`Verified 3 distributions .*, ${verified[1]} of their files on disk as pip recorded them \\(${verified[2]} against their recorded hash\\), and imported nova_dpm\\.`))
    // The warnings the run printed, counted and listed.
    assert.match(run.summary, /<td>Warnings<\/td><td>1 \(listed below\)<\/td>/)
    assert.match(run.summary, /<details><summary>Warnings \(1\)<\/summary><ul><li>OpenStack ocata was tested on Python 2\.7 and 3\.5; [^<]*fail on Python 3\.11[^<]*<\/li><\/ul><\/details>/)
  })

  it('pike gets 2.x and queens 3.0.0, for both packages', { timeout: 180_000 }, async () => {
    for (const [release, pkg, expected] of [
      ['pike', 'nova-dpm', '2.0.1'],
      ['queens', 'networking-dpm', '3.0.0']
    ]) {
      const python = makeVenv()
      const run = await runAction(inputs(release, python, { package: pkg }))
      assert.equal(run.code, 0, run.stdout)
      assert.equal(run.outputs.version, expected)
      assert.equal(installed(python)[pkg], expected)
      assert.equal(installed(python).zhmcclient, '0.18.0')
    }
  })

  it('honours a version override', { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const run = await runAction(inputs('pike', python, { version: '2.0.0' }))
    assert.equal(run.code, 0, run.stdout)
    assert.equal(run.outputs['pip-spec'], 'nova-dpm==2.0.0')
    assert.equal(installed(python)['nova-dpm'], '2.0.0')
  })

  it('constraints: none lets dependencies float to the newest', { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const run = await runAction(inputs('queens', python, { constraints: 'none' }))
    assert.equal(run.code, 0, run.stdout)
    assert.equal(run.outputs['constraints-url'], '')
    assert.equal(installed(python).zhmcclient, '1.0.0')
  })

  it('takes constraints from a local file', { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const file = path.join(tempDir(), 'uc.txt')
    fs.writeFileSync(file, 'zhmcclient===0.20.0\nos-dpm===2.0.0\n')
    const run = await runAction(inputs('queens', python, { constraints: file }))
    assert.equal(run.code, 0, run.stdout)
    assert.equal(installed(python).zhmcclient, '0.20.0')
  })

  it('dry-run reports the plan and installs nothing', { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const before = installed(python)
    const run = await runAction(inputs('queens', python, { 'dry-run': 'true' }))
    assert.equal(run.code, 0, run.stdout)
    assert.equal(run.outputs['pip-spec'], 'nova-dpm>=3.0.0,<4.0.0')
    assert.equal(run.outputs.version, '')
    assert.deepEqual(installed(python), before)
    assert.doesNotMatch(run.stdout, /pip install/)
    assert.match(run.summary, /dry run: nothing installed/)
  })

  it("respects the user's pip configuration when index-url is not given", { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const config = path.join(tempDir(), 'pip.conf')
    fs.writeFileSync(config, `[global]\nindex-url = ${world.indexUrl}\n`)
    const run = await runAction({ release: 'pike', python, constraints: world.constraintsUrl('pike'), cache: 'false' }, { PIP_CONFIG_FILE: config })
    assert.equal(run.code, 0, run.stdout)
    assert.equal(installed(python)['nova-dpm'], '2.0.1')
  })

  it('a re-run over a good install starts no pip; changed pins, pip forced by its settings, or a bad import do', { timeout: 240_000 }, async () => {
    const python = makeVenv()
    const pipRan = (stdout: string) => /\[command\]\S+ -E -s -m pip install /.test(stdout)
    const first = await runAction(inputs('queens', python))
    assert.equal(first.code, 0, first.stdout)
    assert.ok(pipRan(first.stdout), 'the first run installs with pip')
    const listed = installed(python)

    const again = await runAction(inputs('queens', python))
    assert.equal(again.code, 0, again.stdout)
    assert.ok(!pipRan(again.stdout), again.stdout)
    assert.match(again.stdout, /nova-dpm 3\.0\.0 and every dependency are installed as asked, within the constraints, and import; pip not needed\.\n/)
    assert.equal(again.outputs.version, '3.0.0')
    assert.deepEqual(JSON.parse(again.outputs.versions), { 'nova-dpm': '3.0.0' })
    assert.match(again.summary, /<td>Check what is installed<\/td>/)
    assert.doesNotMatch(again.summary, /<td>Install nova-dpm<\/td>/)
    assert.deepEqual(installed(python), listed, 'nothing changed')
    // Without pip, the same closure is proved and reported, and the Verify group says so.
    assert.deepEqual(JSON.parse(again.outputs.closure), JSON.parse(first.outputs.closure))
    assert.match(again.stdout, /::group::Verify\nVerified \d+ distributions /)

    // pip forced by its own settings installs as the user asked.
    const forced = await runAction(inputs('queens', python), { PIP_FORCE_REINSTALL: '1' })
    assert.equal(forced.code, 0, forced.stdout)
    assert.ok(pipRan(forced.stdout), 'PIP_FORCE_REINSTALL makes pip run')

    // Constraints that pin a dependency elsewhere: pip must move it there.
    const moved = path.join(tempDir(), 'upper-constraints.txt')
    fs.writeFileSync(moved, `${CONSTRAINTS.queens.map(line => line.replace('zhmcclient===0.18.0', 'zhmcclient===0.14.0')).join('\n')}\n`)
    const repinned = await runAction(inputs('queens', python, { constraints: moved }))
    assert.equal(repinned.code, 0, repinned.stdout)
    assert.ok(pipRan(repinned.stdout), repinned.stdout)
    assert.equal(installed(python).zhmcclient, '0.14.0')

    // A module that no longer imports (a .pth file, which no RECORD lists, hides it) is never reported good:
    // the check before pip finds nothing wrong, the import does, so pip runs and verification names the import.
    const sitePackages = path.join(path.dirname(path.dirname(python)), 'lib', 'python3.11', 'site-packages')
    fs.writeFileSync(path.join(sitePackages, 'hide-nova.pth'), "import sys; sys.modules['nova_dpm'] = None\n")
    const hidden = await runAction(inputs('queens', python, { constraints: moved }))
    assert.equal(hidden.code, 1, hidden.stdout)
    assert.ok(pipRan(hidden.stdout), hidden.stdout)
    assert.match(messages(hidden, 'error')[0], /nova-dpm 3\.0\.0 is installed but 'import nova_dpm' fails: ModuleNotFoundError: import of nova_dpm halted/)
  })

  it('a relative RUNNER_TEMP (as a local run\'s .env gives) still installs, into a venv at an absolute path', { timeout: 180_000 }, async () => {
    // The runner's working directory holds temp/; pip runs from an empty directory of the action's.
    const run = await runAction(inputs('queens', makeVenv(), { venv: 'true' }), { RUNNER_TEMP: 'temp' })
    assert.equal(run.code, 0, run.stdout)
    const python = run.outputs['python-path']
    assert.ok(path.isAbsolute(python), python)
    assert.match(python, /\/temp\/setup-nova-dpm\/venv-nova-dpm\/bin\/python$/)
    assert.equal(installed(python)['nova-dpm'], '3.0.0')
    assert.match(run.stdout, /--constraint \/\S+\/temp\/setup-nova-dpm-\w+\/upper-constraints\.txt /)
  })

  it('retries a constraints host that answers 503 once', { timeout: 120_000 }, async () => {
    const python = makeVenv()
    const run = await runAction(inputs('pike', python, { constraints: `${world.url}/flaky/pike` }))
    assert.equal(run.code, 0, run.stdout)
    assert.match(run.stdout, /GET \S+\/flaky\/pike: HTTP 503, asked to retry after 0 s; retrying in 0\.0 s \(attempt 2 of 4\)\n/)
    assert.equal(installed(python).zhmcclient, '0.18.0')
  })
})
