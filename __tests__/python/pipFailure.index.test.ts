/**
 * The index's side of a failed pip run, from real pips (see fixtures/pipRuns.ts):
 * an index that fails or refuses, a project or version it does not have,
 * requirements against constraints, and Python versions a distribution excludes.
 */
import * as path from 'node:path'
import { type Case, type World, pipFailureSuite, CONSTRAINTS, DEPENDENCY_PINS } from '../fixtures/pipRuns.js'

pipFailureSuite([
  {
    title: 'index unreachable: connection refused',
    kind: 'index-unreachable',
    index: w => `http://127.0.0.1:${w.refusedPort}/simple/`,
    args: () => ['os-dpm'],
    says: w => [`http://127.0.0.1:${w.refusedPort}/simple/os-dpm/`, 'connection was refused', "'index-url'"],
    pips: ['23', '19', '18']
  },
  {
    title: 'index unreachable: connection refused, console only (pip retried once)',
    kind: 'index-unreachable',
    index: w => `http://127.0.0.1:${w.refusedPort}/simple/`,
    args: () => ['os-dpm'],
    noLog: true,
    retries: 1,
    says: w => [`http://127.0.0.1:${w.refusedPort}/simple/os-dpm/`, 'connection was refused'],
    pips: ['23', '19', '18']
  },
  {
    title: 'index unreachable: no answer in time',
    kind: 'index-unreachable',
    index: 'hang',
    args: () => ['os-dpm'],
    says: w => [`${w.base}/hang/simple/os-dpm/`, 'did not answer in time'],
    pips: ['23', '18']
  },
  {
    title: 'index ignored: plain http to a host pip does not trust',
    kind: 'index-unreachable',
    index: () => 'http://pypi.nosuchhost.invalid/simple/',
    args: () => ['os-dpm'],
    says: () => ['http://pypi.nosuchhost.invalid/simple/', 'not marked trusted', 'https'],
    pips: ['23', '19', '18']
  },
  {
    title: 'index answers 503 for the project page',
    kind: 'index-http-error',
    index: 's503',
    args: () => ['os-dpm'],
    says: w => [`${w.base}/s503/simple/os-dpm/`, 'HTTP 503', 're-run later'],
    pips: ['23', '19', '18']
  },
  {
    title: 'index answers 503 for a file',
    kind: 'index-http-error',
    index: 'f503',
    args: () => ['os-dpm'],
    says: w => [`${w.base}/f503/files/os_dpm-1.0.0-py2.py3-none-any.whl`, 'HTTP 503'],
    pips: ['23', '18']
  },
  {
    title: 'index wants credentials (401), the ones given are masked',
    kind: 'authentication',
    index: w => w.base.replace('//', '//deploy:s3cr3t-token@') + '/s401/simple/',
    args: () => ['os-dpm'],
    says: () => ['/s401/simple/os-dpm/', 'HTTP 401', 'credentials'],
    pips: ['23', '19', '18']
  },
  {
    title: 'index wants credentials (401) and pip, without --no-input, tries to prompt',
    kind: 'authentication',
    index: 's401',
    args: () => ['os-dpm'],
    prompt: true,
    says: w => [`${w.base.replace('http://', '')}`, 'credentials', "'index-url'"],
    pips: ['23', '19', '18']
  },
  {
    title: 'index forbids (403)',
    kind: 'authentication',
    index: 's403',
    args: () => ['os-dpm'],
    says: w => [`${w.base}/s403/simple/os-dpm/`, 'HTTP 403'],
    pips: ['23', '19']
  },
  {
    title: 'no such project on the index',
    kind: 'no-such-distribution',
    index: 'ok',
    args: () => ['nova-dmp'],
    says: w => ['"nova-dmp"', `${w.base}/ok/simple/`],
    // pip's log proves the 404.
    lacks: ['did not answer'],
    pips: ['23', '19', '18']
  },
  {
    // Without its log, pip 19 and 23 say of a failing index only that they found nothing: the message cannot claim more.
    title: 'index answers 503, console only: pip does not say so',
    kind: 'no-such-distribution',
    index: 's503',
    args: () => ['os-dpm'],
    noLog: true,
    says: () => ['"os-dpm"', 'or the index did not answer for it: pip says which only in its log'],
    pips: ['23', '19']
  },
  {
    title: 'index answers 503, console only: pip 18 does say so',
    kind: 'index-http-error',
    index: 's503',
    args: () => ['os-dpm'],
    noLog: true,
    says: w => [`${w.base}/s503/simple/os-dpm/`, 'HTTP 503'],
    pips: ['18']
  },
  {
    title: 'no version in the range',
    kind: 'no-matching-version',
    index: 'ok',
    args: () => ['nova-dpm>=9'],
    says: () => ['"nova-dpm>=9"', '2.0.0, 3.0.0'],
    pips: ['23', '19', '18']
  },
  {
    title: 'only wheels for another Python',
    kind: 'no-matching-version',
    index: 'ok',
    args: () => ['py2-only'],
    says: (w, pip) => [`"${w.base}/ok/simple/" has files of "py2-only"`, `none installs on Python ${pip.pythonVersion}`],
    pips: ['23', '18']
  },
  {
    title: 'a requirement against a constraint',
    kind: 'constraint-conflict',
    index: 'ok',
    args: w => ['-c', path.join(w.root, 'constraints.txt'), 'nova-dpm>=4'],
    constraints: CONSTRAINTS,
    says: () => ['nova-dpm>=4', 'line 1 "nova-dpm===3.0.0"'],
    pips: ['23']
  },
  {
    title: 'a dependency against a constraint',
    kind: 'constraint-conflict',
    index: 'ok',
    args: w => ['-c', path.join(w.root, 'dependency-pins.txt'), 'nova-dpm==2.0.0'],
    constraints: DEPENDENCY_PINS,
    says: () => ['nova-dpm 2.0.0 depends on zhmcclient>=0.20.0', 'line 3 "zhmcclient===0.18.0"'],
    pips: ['23']
  },
  {
    title: 'a constraint pins a version the index does not have',
    kind: 'constraint-conflict',
    index: 'ok',
    args: w => ['-c', path.join(w.root, 'missing-pin.txt'), 'zhmcclient'],
    constraints: 'zhmcclient===0.99.0\n',
    says: () => ['zhmcclient===0.99.0', 'line 1'],
    pips: ['23', '19', '18']
  },
  {
    title: 'Requires-Python announced by the index',
    kind: 'python-version',
    index: 'ok',
    args: () => ['future-only'],
    says: (_, pip) => ['"future-only"', '>=3.99', `Python ${pip.pythonVersion}`, "input 'python'"],
    pips: ['23', '19', '18']
  },
  {
    title: 'Requires-Python in the wheel only',
    kind: 'python-version',
    index: 'ok',
    args: () => ['future-meta'],
    says: (_, pip) => ['"future-meta" needs Python >=3.99', `Python ${pip.pythonVersion}`],
    pips: ['23', '19', '18']
  },
  // The index's failure is the cause of what pip then reports as a conflict with the constraints (or, on pip 18, as no version).
  ...(
    [
      ['answers 503', 'index-http-error', 's503', w => [`${w.base}/s503/simple/nova-dpm/`, 'HTTP 503', 're-run later']],
      ['wants credentials (401)', 'authentication', 's401', w => [`${w.base}/s401/simple/nova-dpm/`, 'HTTP 401', 'credentials']],
      ['refuses connections', 'index-unreachable', w => `http://127.0.0.1:${w.refusedPort}/simple/`, w => [`http://127.0.0.1:${w.refusedPort}/simple/nova-dpm/`, 'connection was refused']],
      ['presents a certificate pip does not trust', 'index-unreachable', w => `${w.tlsBase}/ok/simple/`, w => [`${w.tlsBase}/ok/simple/nova-dpm/`, 'not signed by a CA pip trusts', 'PIP_CERT', 'REQUESTS_CA_BUNDLE']]
    ] satisfies [string, Case['kind'], Case['index'], (w: World) => string[]][]
  ).map(
    ([what, kind, index, says]): Case => ({
      title: `constraints pin the package and the index ${what}: the index is named, not the constraints`,
      kind,
      index,
      args: w => ['-c', path.join(w.root, 'constraints.txt'), 'nova-dpm'],
      constraints: CONSTRAINTS,
      says,
      lacks: ['cannot satisfy', 'constraints'],
      pips: ['23', '19', '18']
    })
  ),
  {
    title: 'an index with a certificate pip does not trust',
    kind: 'index-unreachable',
    index: w => `${w.tlsBase}/ok/simple/`,
    args: () => ['os-dpm'],
    says: w => [`${w.tlsBase}/ok/simple/os-dpm/`, 'not signed by a CA pip trusts', 'PIP_CERT', 'REQUESTS_CA_BUNDLE'],
    pips: ['23', '19', '18']
  },
  {
    // Only pip ≥ 20.3's resolver checks; older pips install such a wheel.
    title: "a wheel whose metadata contradict its file name's version",
    kind: 'broken-distribution',
    index: 'ok',
    args: () => ['inconsistent>=3,<4'],
    says: w => [`${w.base}/ok/files/inconsistent-3.0.0-py2.py3-none-any.whl`, "says version 3.0.1", 'its file name says version 3.0.0'],
    lacks: ['No version', 'pip saw'],
    pips: ['23']
  }
])
