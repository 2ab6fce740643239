/**
 * A compute node as the nova-dpm guide has it: nova-dpm and networking-dpm
 * in one environment, with the job's own projects beside them and a sample
 * configuration from oslo.config's real generator.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { pyenvPython } from '../fixtures/pythons.js'
import { cleanEnv, installed, makeVenv, messages, py, runAction, tempDir, type ActionRun } from '../fixtures/runAction.js'
import { git, GIT_VERSIONS, makeLocalProject } from '../fixtures/repos.js'
import { useWorld } from '../fixtures/suite.js'
import { installInputs } from '../fixtures/world.js'

/** Debian's interpreter: its dist-packages hold python3-oslo.config, and a PyGObject whose pycairo is missing. */
const DEBIAN_PYTHON = '/usr/bin/python3'

/** The `pip install` command lines of a run: the action installs everything in one. */
function pipInstalls(run: ActionRun): string[] {
  return run.stdout.split('\n').filter(line => /^\[command\]\S+ -E -s -m pip install /.test(line))
}

/** The summary row of one package: `<td>name</td><td>…</td>`. */
function summaryRow(run: ActionRun, name: string): string | undefined {
  return run.summary.match(new RegExp(`<tr><td>${name}</td><td>([^<]*)</td></tr>`))?.[1]
}

const dropped = (run: ActionRun) => run.stdout.split('\n').filter(l => l.startsWith('Dropped the pin '))
const droppedLine = (pin: string) =>
  `Dropped the pin '${pin}' from the constraints: that project is installed from source, and pip refuses a pinned name given as a URL or path.`

describe('a compute node: nova-dpm and networking-dpm together, the job’s own projects, a config sample', () => {
  const world = useWorld()

  const inputs = (release: string, python: string, extra: Record<string, string> = {}) =>
    installInputs(world, { release, python, package: 'nova-dpm networking-dpm', ...extra })

  it('release: both packages in one pip run, each at its release, dependencies at the pins', { timeout: 180_000 }, async () => {
    const python = makeVenv()
    const run = await runAction(inputs('queens', python))
    assert.equal(run.code, 0, run.stdout)
    const pips = pipInstalls(run)
    assert.equal(pips.length, 1, run.stdout)
    assert.match(pips[0], / nova-dpm>=3\.0\.0,<4\.0\.0 networking-dpm>=3\.0\.0,<4\.0\.0$/)
    const pkgs = installed(python)
    assert.equal(pkgs['nova-dpm'], '3.0.0')
    assert.equal(pkgs['networking-dpm'], '3.0.0')
    assert.equal(pkgs.zhmcclient, '0.18.0')
    assert.equal(pkgs['os-dpm'], '1.1.0')
    assert.deepEqual(JSON.parse(run.outputs.versions), { 'nova-dpm': '3.0.0', 'networking-dpm': '3.0.0' })
    assert.deepEqual(Object.keys(JSON.parse(run.outputs.versions)), ['nova-dpm', 'networking-dpm'], 'in the order asked')
    assert.equal(run.outputs.version, '3.0.0')
    assert.deepEqual(JSON.parse(run.outputs.commits), {})
    assert.equal(run.outputs.commit, '')
    assert.equal(run.outputs['pip-spec'], 'nova-dpm>=3.0.0,<4.0.0 networking-dpm>=3.0.0,<4.0.0')
    assert.deepEqual(JSON.parse(run.outputs.releases), ['ocata', 'pike', 'queens'])
    // Released packages come from the index: no pin is dropped.
    assert.deepEqual(dropped(run), [])
    assert.match(run.summary, /<h3>setup-nova-dpm: nova-dpm, networking-dpm for queens<\/h3>/)
    assert.equal(summaryRow(run, 'nova-dpm'), '3.0.0 — nova-dpm&gt;=3.0.0,&lt;4.0.0')
    assert.equal(summaryRow(run, 'networking-dpm'), '3.0.0 — networking-dpm&gt;=3.0.0,&lt;4.0.0')
    assert.match(run.summary, /<td>Install nova-dpm, networking-dpm<\/td><td>\d+\.\d s<\/td>/)
  })

  it('stable: each package from its own repository through the {package} template, both pins dropped', { timeout: 180_000 }, async () => {
    const python = makeVenv()
    const template = path.join(path.dirname(world.repos['nova-dpm']), '{package}')
    // Commas and newlines separate names as well as spaces do.
    const run = await runAction(inputs('queens', python, { mode: 'stable', package: 'nova-dpm,\nnetworking-dpm', repository: template }))
    assert.equal(run.code, 0, run.stdout)
    const shas = {
      'nova-dpm': git(world.repos['nova-dpm'], 'rev-parse', 'stable/queens'),
      'networking-dpm': git(world.repos['networking-dpm'], 'rev-parse', 'stable/queens')
    }
    assert.notEqual(shas['nova-dpm'], shas['networking-dpm'])
    assert.deepEqual(JSON.parse(run.outputs.commits), shas)
    assert.equal(run.outputs.commit, shas['nova-dpm'])
    const version = GIT_VERSIONS['stable/queens']
    assert.deepEqual(JSON.parse(run.outputs.versions), { 'nova-dpm': version, 'networking-dpm': version })
    assert.equal(run.outputs.version, version)
    const specs = (['nova-dpm', 'networking-dpm'] as const).map(p => `git+file://${world.repos[p]}@${shas[p]}#egg=${p}`)
    assert.equal(run.outputs['pip-spec'], specs.join(' '))
    const pips = pipInstalls(run)
    assert.equal(pips.length, 1, run.stdout)
    // Shown quoted: '#' is special to a shell.
    assert.ok(pips[0].endsWith(` ${specs.map(spec => JSON.stringify(spec)).join(' ')}`), pips[0])
    const pkgs = installed(python)
    assert.equal(pkgs['nova-dpm'], version)
    assert.equal(pkgs['networking-dpm'], version)
    assert.equal(pkgs.zhmcclient, '0.18.0')
    assert.deepEqual(dropped(run).sort(), [droppedLine('networking-dpm===3.0.0'), droppedLine('nova-dpm===3.0.0')])
    for (const p of ['nova-dpm', 'networking-dpm'] as const) {
      assert.equal(summaryRow(run, p), `${version} — ${specs[p === 'nova-dpm' ? 0 : 1]} — commit ${shas[p]}`)
    }
  })

  it('master: both from master with master constraints; version and commit are the first package’s', { timeout: 180_000 }, async () => {
    const python = makeVenv()
    const template = path.join(path.dirname(world.repos['nova-dpm']), '{package}')
    const run = await runAction(inputs('master', python, { package: 'networking-dpm\nnova-dpm', repository: template }))
    assert.equal(run.code, 0, run.stdout)
    const shas = {
      'networking-dpm': git(world.repos['networking-dpm'], 'rev-parse', 'master'),
      'nova-dpm': git(world.repos['nova-dpm'], 'rev-parse', 'master')
    }
    assert.deepEqual(JSON.parse(run.outputs.commits), shas)
    assert.equal(run.outputs.commit, shas['networking-dpm'])
    assert.deepEqual(JSON.parse(run.outputs.versions), { 'networking-dpm': GIT_VERSIONS.master, 'nova-dpm': GIT_VERSIONS.master })
    const pips = pipInstalls(run)
    assert.equal(pips.length, 1, run.stdout)
    const specs = (['networking-dpm', 'nova-dpm'] as const).map(p => `git+file://${world.repos[p]}@${shas[p]}#egg=${p}`)
    // Shown quoted: '#' is special to a shell.
    assert.ok(pips[0].endsWith(` ${specs.map(spec => JSON.stringify(spec)).join(' ')}`), pips[0])
    const pkgs = installed(python)
    assert.equal(pkgs['nova-dpm'], GIT_VERSIONS.master)
    assert.equal(pkgs['networking-dpm'], GIT_VERSIONS.master)
    assert.equal(pkgs.zhmcclient, '0.20.0')
    // master's constraints pin neither package.
    assert.deepEqual(dropped(run), [])
    assert.match(run.summary, /<h3>setup-nova-dpm: networking-dpm, nova-dpm for master<\/h3>/)
  })

  it('refuses a repository without {package}, and a version, for several packages', { timeout: 60_000 }, async () => {
    // Refused while reading the inputs: the interpreter is never started.
    const python = DEBIAN_PYTHON
    const plain = await runAction(inputs('queens', python, { mode: 'stable', repository: world.repos['nova-dpm'] }))
    assert.equal(plain.code, 1)
    assert.deepEqual(messages(plain, 'error'), [
      "Input 'repository' must contain '{package}' when 'package' names several (nova-dpm, networking-dpm): each comes from its own repository, e.g. 'https://git.example.com/mirror/{package}'."
    ])
    const version = await runAction(inputs('queens', python, { version: '3.0.0' }))
    assert.equal(version.code, 1)
    assert.deepEqual(messages(version, 'error'), [
      "Input 'version' applies to one package; 'package' names nova-dpm, networking-dpm. Remove 'version', or install one package."
    ])
    for (const run of [plain, version]) assert.doesNotMatch(run.stdout, /pip install/)
  })

  describe('the job’s own projects in requirements', () => {
    /** A workspace as actions/checkout leaves it; relative paths in the inputs start here. */
    function workspace(layout: 'pyproject' | 'setup.cfg'): string {
      const ws = tempDir('nova-dpm-workspace-')
      // Named by its metadata, not by its folder.
      makeLocalProject(path.join(ws, 'checkout'), { name: 'zhmcclient', version: '0.19.0.dev0', layout })
      fs.mkdirSync(path.join(ws, 'ci'))
      fs.writeFileSync(path.join(ws, 'ci', 'extra.txt'), '# read by the action, not by pip\nnetworking-dpm\n')
      return ws
    }

    it('pyproject layout: the checkout replaces the pinned zhmcclient, and a -r line lands in the same pip run', { timeout: 180_000 }, async () => {
      const ws = workspace('pyproject')
      const python = makeVenv()
      const run = await runAction(
        inputs('queens', python, { package: 'nova-dpm', requirements: './checkout\n-r ci/extra.txt' }),
        { GITHUB_WORKSPACE: ws }
      )
      assert.equal(run.code, 0, run.stdout)
      assert.deepEqual(dropped(run), [droppedLine('zhmcclient===0.18.0')])
      const pips = pipInstalls(run)
      assert.equal(pips.length, 1, run.stdout)
      assert.match(pips[0], / nova-dpm>=3\.0\.0,<4\.0\.0 -r \S+\/requirements\.txt$/)
      const checkout = path.join(ws, 'checkout')
      assert.ok(run.stdout.includes(`: ${checkout} | networking-dpm\n`), run.stdout)
      const pkgs = installed(python)
      assert.equal(pkgs.zhmcclient, '0.19.0.dev0')
      assert.equal(pkgs['nova-dpm'], '3.0.0')
      assert.equal(pkgs['networking-dpm'], '3.0.0', "the -r file's requirement, at queens' pin")
      // Not editable: a copy in site-packages.
      assert.equal(
        py(python, 'import os, sysconfig, zhmcclient; print(os.path.relpath(zhmcclient.__file__, sysconfig.get_paths()["purelib"]))'),
        path.join('zhmcclient', '__init__.py')
      )
      assert.deepEqual(JSON.parse(run.outputs.versions), { 'nova-dpm': '3.0.0' })
      assert.equal(summaryRow(run, 'Also installed'), `${checkout}, networking-dpm`)
    })

    it('setup.cfg layout, editable: the module imported is the checkout’s own file', { timeout: 180_000 }, async () => {
      const ws = workspace('setup.cfg')
      const python = makeVenv()
      const run = await runAction(inputs('queens', python, { package: 'nova-dpm', requirements: './checkout', editable: 'true' }), { GITHUB_WORKSPACE: ws })
      assert.equal(run.code, 0, run.stdout)
      assert.deepEqual(dropped(run), [droppedLine('zhmcclient===0.18.0')])
      const checkout = path.join(ws, 'checkout')
      assert.ok(run.stdout.includes(`: -e ${checkout}\n`), run.stdout)
      assert.equal(pipInstalls(run).length, 1, run.stdout)
      assert.equal(installed(python).zhmcclient, '0.19.0.dev0')
      assert.equal(py(python, 'import zhmcclient; print(zhmcclient.__file__)'), path.join(checkout, 'zhmcclient', '__init__.py'))
      // Editable: a change in the checkout is what the environment imports.
      fs.writeFileSync(path.join(checkout, 'zhmcclient', '__init__.py'), '__version__ = "edited"\n')
      assert.equal(py(python, 'import zhmcclient; print(zhmcclient.__version__)'), 'edited')
    })

    it('an option line in a -r file is refused with the file and line', { timeout: 60_000 }, async () => {
      const ws = workspace('pyproject')
      fs.writeFileSync(path.join(ws, 'ci', 'bad.txt'), 'networking-dpm\n--index-url x\n')
      const run = await runAction(inputs('queens', DEBIAN_PYTHON, { requirements: './checkout\n-r ci/bad.txt' }), { GITHUB_WORKSPACE: ws })
      assert.equal(run.code, 1)
      assert.deepEqual(messages(run, 'error'), [
        `requirements file '${path.join(ws, 'ci', 'bad.txt')}', line 2: '--index-url x' is not accepted: the action sets the package index itself: use the input 'index-url'.`
      ])
      assert.doesNotMatch(run.stdout, /pip install/)
    })
  })

  it(
    "Debian's system-site venv: verification judges the packages' closure only, and the real oslo.config writes the sample",
    { timeout: 420_000 },
    async () => {
      const dir = path.join(tempDir(), 'system-site-venv')
      execFileSync(DEBIAN_PYTHON, ['-m', 'venv', '--system-site-packages', dir], { env: cleanEnv(), stdio: 'pipe' })
      const python = path.join(dir, 'bin', 'python')
      // The premise: Debian's PyGObject fails pip check in such a venv; the action must not.
      const check = (() => {
        try {
          return { code: 0, out: execFileSync(python, ['-m', 'pip', 'check'], { env: cleanEnv(), encoding: 'utf8', stdio: 'pipe' }) }
        } catch (error) {
          return { code: (error as { status: number }).status, out: String((error as { stdout: string }).stdout) }
        }
      })()
      assert.notEqual(check.code, 0, 'pip check fails on Debian’s own packages here')
      assert.match(check.out, /^pygobject \S+ requires pycairo, which is not installed\.$/im)

      const ws = tempDir('nova-dpm-workspace-')
      const run = await runAction(inputs('queens', python, { 'config-sample': 'etc/nova/nova-dpm.conf.sample' }), { GITHUB_WORKSPACE: ws })
      assert.equal(run.code, 0, run.stdout)
      assert.deepEqual(messages(run, 'error'), [])
      const pkgs = installed(python)
      assert.equal(pkgs['nova-dpm'], '3.0.0')
      assert.equal(pkgs['networking-dpm'], '3.0.0')
      // oslo.config is Debian's, seen through the system site: nothing installed it into the venv.
      assert.match(py(python, 'import oslo_config; print(oslo_config.__file__)'), /^\/usr\/lib\/python3\/dist-packages\/oslo_config\//)

      const sample = path.join(ws, 'etc', 'nova', 'nova-dpm.conf.sample')
      assert.equal(run.outputs['config-sample'], sample)
      const text = fs.readFileSync(sample, 'utf8')
      for (const section of ['[DEFAULT]', '[dpm]', '[agent]']) assert.ok(text.split('\n').includes(section), `${section} in\n${text}`)
      // nova-dpm's options and networking-dpm's, with their help and defaults, as the generator writes them.
      assert.match(text, /^# Hostname or IP address of the HMC that manages the CPC\. \(string\n# value\)\n#hmc = <None>$/m)
      assert.match(text, /^# Maximum number of shared processors a partition may use\. \(integer\n# value\)\n#max_processors = 1$/m)
      assert.match(text, /^#cpc_object_id = <None>$/m)
      assert.match(text, /^#physical_network_adapter_mappings =$/m)
      assert.match(text, /^#polling_interval = 2$/m)
      assert.ok(run.stdout.includes(`Wrote the sample configuration for networking_dpm, nova_dpm to ${sample}.\n`), run.stdout)
      assert.equal(summaryRow(run, 'Config sample'), sample)
      assert.match(text, /^# Written by setup-nova-dpm \(config-sample\), which rewrites this file on every run; delete this line to keep the file as your own\.\n/)

      // A later run replaces the sample it wrote.
      fs.appendFileSync(sample, '#stale = 1\n')
      const again = await runAction(inputs('queens', python, { 'config-sample': 'etc/nova/nova-dpm.conf.sample' }), { GITHUB_WORKSPACE: ws })
      assert.equal(again.code, 0, again.stdout)
      assert.equal(fs.readFileSync(sample, 'utf8'), text)

      // Never a file it did not write, nor through a link: the run fails saying so, and the install stands.
      const mine = Buffer.from('[metadata]\nname = my-project\n')
      fs.writeFileSync(path.join(ws, 'setup.cfg'), mine)
      const victim = path.join(tempDir(), 'nova.conf')
      fs.writeFileSync(victim, 'precious\n')
      fs.symlinkSync(victim, path.join(ws, 'linked.sample'))
      const refused: [string, string][] = [
        ['setup.cfg', `The config-sample path ${path.join(ws, 'setup.cfg')} is a file the action did not write`],
        ['linked.sample', `The config-sample path ${path.join(ws, 'linked.sample')} is a symbolic link (to ${victim}); the action never writes through a link.`]
      ]
      for (const [target, why] of refused) {
        const kept = await runAction(inputs('queens', python, { 'config-sample': target }), { GITHUB_WORKSPACE: ws })
        assert.equal(kept.code, 1, kept.stdout)
        const errors = messages(kept, 'error')
        assert.equal(errors.length, 1, kept.stdout)
        assert.ok(errors[0].startsWith(why) && errors[0].endsWith("Set 'config-sample' to a new path, or delete what is there. The install itself succeeded."), errors[0])
        assert.equal(kept.outputs['config-sample'], '')
        assert.equal(kept.outputs['python-path'], python)
      }
      assert.deepEqual(fs.readFileSync(path.join(ws, 'setup.cfg')), mine)
      assert.equal(fs.readFileSync(victim, 'utf8'), 'precious\n')
    }
  )

  it('without oslo.config the sample step fails naming it, and the install and the venv still stand', { timeout: 180_000 }, async () => {
    const venvPath = path.join(tempDir(), 'venv')
    const sample = path.join(tempDir(), 'nova-dpm.conf.sample')
    const run = await runAction(inputs('queens', pyenvPython('3.11'), { venv: 'true', 'venv-path': venvPath, 'config-sample': sample }))
    assert.equal(run.code, 1)
    const venvPython = path.join(venvPath, 'bin', 'python')
    assert.deepEqual(messages(run, 'error'), [
      `oslo.config is not importable in ${venvPython}, so no sample configuration could be written (ModuleNotFoundError: No module named 'oslo_config'). ` +
        "Add 'oslo.config' to 'requirements' (it installs under the same constraints), or drop 'config-sample'. The install itself succeeded."
    ])
    assert.equal(fs.existsSync(sample), false)
    const pkgs = installed(venvPython)
    assert.equal(pkgs['nova-dpm'], '3.0.0')
    assert.equal(pkgs['networking-dpm'], '3.0.0')
    assert.equal(run.exported.VIRTUAL_ENV, venvPath)
    assert.deepEqual(run.paths, [path.join(venvPath, 'bin')])
    // The outputs of the install that stands, for a step with continue-on-error.
    assert.equal(run.outputs['python-path'], venvPython)
    assert.deepEqual(JSON.parse(run.outputs.versions), { 'nova-dpm': '3.0.0', 'networking-dpm': '3.0.0' })
    assert.equal(run.outputs['config-sample'], '')
  })

  it('when no package registers an oslo.config namespace, the error names the ones it looked in', { timeout: 180_000 }, async () => {
    // A nova-dpm branch without the oslo.config entry point, and a local project without one.
    const repos = tempDir('nova-dpm-repos-')
    const repo = makeLocalProject(path.join(repos, 'nova-dpm.git'), { name: 'nova-dpm', version: '3.0.1.dev7', layout: 'setup.cfg' })
    git(repo, 'init', '-q', '-b', 'stable/queens')
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', 'nova-dpm without options')
    const ws = tempDir('nova-dpm-workspace-')
    makeLocalProject(path.join(ws, 'tools'), { name: 'zhmcclient', version: '0.19.0.dev0', layout: 'pyproject' })
    const python = makeVenv()
    const sample = path.join(ws, 'nova-dpm.conf.sample')
    const run = await runAction(
      inputs('queens', python, {
        package: 'nova-dpm',
        mode: 'stable',
        repository: path.join(repos, '{package}.git'),
        requirements: './tools',
        'config-sample': sample
      }),
      { GITHUB_WORKSPACE: ws }
    )
    assert.equal(run.code, 1)
    assert.deepEqual(messages(run, 'error'), [
      "None of nova-dpm, zhmcclient registers an oslo.config namespace (entry point group 'oslo.config.opts'), so there is no sample configuration to write. " +
        "Drop 'config-sample', or add to 'package' or 'requirements' the project whose options you want. The install itself succeeded."
    ])
    assert.equal(fs.existsSync(sample), false)
    const pkgs = installed(python)
    assert.equal(pkgs['nova-dpm'], '3.0.1.dev7')
    assert.equal(pkgs.zhmcclient, '0.19.0.dev0')
    assert.equal(run.outputs.commit, git(repo, 'rev-parse', 'HEAD'))
  })
})
