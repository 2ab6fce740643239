/**
 * The source's side of a failed pip run, from real pips (see fixtures/pipRuns.ts):
 * builds that fail, git fetches that fail, sources that are not Python projects,
 * and what no class explains.
 */
import { pipFailureSuite, UNTESTED } from '../fixtures/pipRuns.js'

pipFailureSuite([
  {
    title: 'a source build fails',
    kind: 'build-failure',
    index: 'ok',
    args: w => [w.projects.backendFails],
    says: () => ['"RuntimeError: the zhmc native library is missing: install libzhmc-dev"', UNTESTED],
    pips: ['23', '19']
  },
  {
    title: 'a source build fails, console only',
    kind: 'build-failure',
    index: 'ok',
    args: w => [w.projects.backendFails],
    noLog: true,
    says: () => ['"RuntimeError: the zhmc native library is missing: install libzhmc-dev"'],
    pips: ['23', '19']
  },
  {
    title: 'setup.py fails',
    kind: 'build-failure',
    index: 'ok',
    args: w => [w.projects.setupFails],
    says: () => ['"RuntimeError: the zhmc native library is missing: install libzhmc-dev"'],
    pips: ['19', '18']
  },
  {
    title: 'setup.py fails in a directory whose name holds a space',
    kind: 'build-failure',
    index: 'ok',
    args: w => [w.projects.spacedSetupFails],
    says: () => [/ "[^"]*setup fails" from source: "RuntimeError: the zhmc native library is missing/],
    // pip 23 would first need setuptools from the index, which serves none.
    pips: ['19', '18']
  },
  {
    title: 'setup.py fails, console only',
    kind: 'build-failure',
    index: 'ok',
    args: w => [w.projects.setupFails],
    noLog: true,
    says: () => ['"RuntimeError: the zhmc native library is missing: install libzhmc-dev"'],
    pips: ['19', '18']
  },
  {
    title: 'a build requirement is not on the index',
    kind: 'build-failure',
    index: 'ok',
    args: w => [w.projects.missingBackend],
    says: () => ['build requirements', 'no-such-backend>=1.0', UNTESTED],
    pips: ['23', '19', '18']
  },
  {
    title: 'a build requirement is not on the index, console only',
    kind: 'build-failure',
    index: 'ok',
    args: w => [w.projects.missingBackend],
    noLog: true,
    says: () => ['build requirements', 'No matching distribution found for no-such-backend>=1.0'],
    pips: ['23', '19', '18']
  },
  {
    title: 'git: the repository does not exist',
    kind: 'git-fetch',
    index: 'ok',
    args: w => [`git+file://${w.git.missing}#egg=retired-pkg`],
    says: w => [`file://${w.git.missing}`, 'does not appear to be a git repository', "'repository'"],
    pips: ['23', '19', '18']
  },
  {
    title: 'git: the branch does not exist',
    kind: 'git-fetch',
    index: 'ok',
    args: w => [`git+file://${w.git.readme}@stable/nope#egg=retired-pkg`],
    says: () => ['revision stable/nope', "pathspec 'stable/nope' did not match"],
    pips: ['23', '19', '18']
  },
  {
    title: 'git: the server is unreachable',
    kind: 'git-fetch',
    index: 'ok',
    args: w => [`git+http://127.0.0.1:${w.refusedPort}/nova-dpm.git#egg=retired-pkg`],
    says: w => [`http://127.0.0.1:${w.refusedPort}/nova-dpm.git`, 'unable to access'],
    pips: ['23', '18']
  },
  {
    title: 'a git ref holding only a README',
    kind: 'not-a-project',
    index: 'ok',
    args: w => [`git+file://${w.git.readme}@master#egg=retired-pkg`],
    says: w => [w.git.readme, 'neither setup.py nor pyproject.toml', 'retired'],
    pips: ['23', '19', '18']
  },
  {
    title: 'a directory holding only a README',
    kind: 'not-a-project',
    index: 'ok',
    args: w => [w.projects.readmeOnly],
    says: w => [w.projects.readmeOnly, 'neither setup.py nor pyproject.toml'],
    pips: ['23', '19', '18']
  },
  {
    title: 'pip < 19 and a pyproject-only project',
    kind: 'pip-too-old',
    index: 'ok',
    args: w => [w.projects.pyprojectOnly],
    says: () => ['pip 18.1', 'pyproject-only', 'python -m pip install "pip>=19,<21"', '3.6.15'],
    pips: ['18']
  },
  {
    // The same project on pip 19: PEP 517 runs its backend, which fails; not a pip-version problem.
    title: 'pip ≥ 19 builds a pyproject-only project through its backend',
    kind: 'build-failure',
    index: 'ok',
    args: w => [w.projects.pyprojectOnly],
    says: () => ['the zhmc native library is missing'],
    pips: ['23', '19']
  },
  {
    title: 'anything else: a wheel that writes outside its target',
    kind: 'unknown',
    index: 'ok',
    args: () => ['escaping'],
    says: () => ['escape.py', UNTESTED],
    pips: ['23']
  },
  {
    title: 'anything else: a wheel that is not a zip archive',
    kind: 'unknown',
    index: 'ok',
    args: () => ['corrupt'],
    says: () => ['corrupt', UNTESTED],
    pips: ['23', '19', '18']
  },
  {
    title: 'the disk pip downloads to is full',
    kind: 'no-space',
    index: 'ok',
    args: () => ['os-dpm'],
    fullTmp: true,
    says: () => ['no space left on device', 'TMPDIR'],
    lacks: ['pip install failed'],
    pips: ['23', '19', '18']
  }
])
