import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { gitRequirement, makePlan, releaseRequirement, repositoryUrl, untestedPython, type Request } from '../../src/source/plan.js'
import { findSeries } from '../../src/source/releases.js'

const request = (over: Partial<Request> & { release?: string } = {}): Request => ({
  series: findSeries(over.release ?? 'queens'),
  mode: 'release',
  packages: ['nova-dpm'],
  ...over
})

describe('plan', () => {
  it('release mode: the series major and its constraints', () => {
    const p = makePlan(request({ release: 'ocata' }))
    assert.equal(releaseRequirement(p.packages[0]), 'nova-dpm>=1.0.0,<2.0.0')
    assert.deepEqual(p.constraints, { kind: 'url', url: 'https://releases.openstack.org/constraints/upper/ocata' })
    assert.equal(p.packages[0].module, 'nova_dpm')
    assert.equal(p.packages[0].git, undefined)
  })

  it('several packages, each with its own major and module', () => {
    const p = makePlan(request({ release: 'pike', packages: ['nova-dpm', 'networking-dpm'] }))
    assert.deepEqual(
      p.packages.map(x => [releaseRequirement(x), x.module]),
      [
        ['nova-dpm>=2.0.0,<3.0.0', 'nova_dpm'],
        ['networking-dpm>=2.0.0,<3.0.0', 'networking_dpm']
      ]
    )
  })

  it('release mode honours a version specifier', () => {
    const p = makePlan(request({ release: 'pike', packages: ['networking-dpm'], version: '>=2.0.1,<3.0.0' }))
    assert.equal(releaseRequirement(p.packages[0]), 'networking-dpm>=2.0.1,<3.0.0')
    assert.deepEqual(p.warnings, [])
  })

  it('warns when the range lies outside the series, fails when nothing matches', () => {
    assert.match(makePlan(request({ version: '>=2.0.0,<3.0.0' })).warnings[0], /outside queens's releases of nova-dpm \(3\.x\)/)
    assert.throws(() => makePlan(request({ version: '>3.0.0,<2.0.0' })), /matches no version at all/)
  })

  it('a series without a release points to what works, for stein and the newest series alike', () => {
    for (const release of ['rocky', 'indri', '2027.1']) {
      assert.throws(
        () => makePlan(request({ release })),
        /nova-dpm has no release for OpenStack (rocky|2027\.1): PyPI has releases for ocata \(1\.x\), pike \(2\.x\), queens \(3\.x\) only.*'mode: stable'.*'release: master'/
      )
    }
  })

  it('stable mode tries the branch, then the eol tag, with the series constraints', () => {
    const p = makePlan(request({ release: 'ocata', mode: 'stable' }))
    assert.deepEqual(p.packages[0].git, { repository: 'https://opendev.org/x/nova-dpm', refs: ['refs/heads/stable/ocata', 'refs/tags/ocata-eol'] })
    assert.deepEqual(p.constraints, { kind: 'url', url: 'https://releases.openstack.org/constraints/upper/ocata' })
    assert.equal(p.packages[0].specifier, undefined)
  })

  it('without a repository input each package comes from its home: drivers under x/, services under openstack/', () => {
    const p = makePlan(request({ mode: 'stable', packages: ['nova-dpm', 'nova', 'networking-dpm', 'neutron'] }))
    assert.deepEqual(
      p.packages.map(x => x.git?.repository),
      ['https://opendev.org/x/nova-dpm', 'https://opendev.org/openstack/nova', 'https://opendev.org/x/networking-dpm', 'https://opendev.org/openstack/neutron']
    )
    assert.deepEqual(p.packages[1].git?.refs, ['refs/heads/stable/queens', 'refs/tags/queens-eol'])
  })

  it("release mode asks for the series' major of Nova and Neutron beside the drivers", () => {
    const p = makePlan(request({ packages: ['nova-dpm', 'nova', 'networking-dpm', 'neutron'] }))
    assert.deepEqual(
      p.packages.map(x => [releaseRequirement(x), x.module]),
      [
        ['nova-dpm>=3.0.0,<4.0.0', 'nova_dpm'],
        ['nova>=17.0.0,<18.0.0', 'nova'],
        ['networking-dpm>=3.0.0,<4.0.0', 'networking_dpm'],
        ['neutron>=12.0.0,<13.0.0', 'neutron']
      ]
    )
    assert.equal(releaseRequirement(makePlan(request({ release: 'ocata', packages: ['nova'] })).packages[0]), 'nova>=15.0.0,<16.0.0')
    assert.equal(releaseRequirement(makePlan(request({ release: 'antelope', packages: ['neutron'] })).packages[0]), 'neutron>=22.0.0,<23.0.0')
  })

  it('a series Nova released but the drivers did not is refused for the drivers only', () => {
    assert.throws(() => makePlan(request({ release: 'rocky', packages: ['nova-dpm', 'nova'] })), /nova-dpm has no release for OpenStack rocky/)
    assert.equal(releaseRequirement(makePlan(request({ release: 'rocky', packages: ['nova'] })).packages[0]), 'nova>=18.0.0,<19.0.0')
    assert.throws(() => makePlan(request({ release: '2026.2', packages: ['nova'] })), /nova has no release for OpenStack 2026.2: .*2026\.1 \(33\.x\)/)
  })

  it('the repository template gives each package its own repository', () => {
    const p = makePlan(request({ mode: 'stable', packages: ['nova-dpm', 'networking-dpm'], repository: 'https://mirror.example.com/x/{package}.git' }))
    assert.deepEqual(
      p.packages.map(x => x.git?.repository),
      ['https://mirror.example.com/x/nova-dpm.git', 'https://mirror.example.com/x/networking-dpm.git']
    )
  })

  it('master mode uses master and its constraints; an explicit constraints source wins', () => {
    const p = makePlan(request({ release: 'master', mode: 'master', packages: ['networking-dpm'] }))
    assert.deepEqual(p.packages[0].git?.refs, ['refs/heads/master'])
    assert.equal(p.packages[0].git?.repository, 'https://opendev.org/x/networking-dpm')
    assert.deepEqual(p.constraints, { kind: 'url', url: 'https://releases.openstack.org/constraints/upper/master' })
    assert.deepEqual(makePlan(request({ release: 'master', mode: 'master', constraints: { kind: 'none' } })).constraints, { kind: 'none' })
  })

  it('pins git installs to a commit; paths become file URLs, scp-like locations ssh URLs', () => {
    assert.equal(gitRequirement('nova-dpm', 'https://opendev.org/x/nova-dpm', 'abc'), 'git+https://opendev.org/x/nova-dpm@abc#egg=nova-dpm')
    assert.equal(gitRequirement('nova-dpm', '/srv/git/nova-dpm', 'abc'), 'git+file:///srv/git/nova-dpm@abc#egg=nova-dpm')
    assert.equal(repositoryUrl('git@github.com:me/nova-dpm.git'), 'ssh://git@github.com/me/nova-dpm.git')
  })

  it('warns about a Python the series never gated on, with the container advice', () => {
    const queens = findSeries('queens')
    for (const minor of [5, 6, 9]) assert.equal(untestedPython(queens, ['nova-dpm', 'networking-dpm'], { major: 3, minor }), undefined)
    assert.equal(untestedPython(queens, ['nova-dpm'], { major: 2, minor: 7 }), undefined)
    assert.match(untestedPython(findSeries('ocata'), ['nova-dpm'], { major: 3, minor: 11 }) ?? '', /ocata was tested on Python 2\.7 and 3\.5; .*requests 2\.18\.4.*fail on Python 3\.11.*container: python:2\.7, or Python 3\.9 or older/)
    // With Nova, only the era's Pythons: its compiled pins do not build on 3.9.
    assert.equal(untestedPython(queens, ['nova-dpm', 'nova'], { major: 3, minor: 6 }), undefined)
    assert.match(untestedPython(queens, ['nova-dpm', 'nova'], { major: 3, minor: 9 }) ?? '', /nova of queens pin compiled packages .* Python 3\.9.*container: python:2\.7 or python:3\.6/)
    assert.equal(untestedPython(findSeries('master'), ['nova'], { major: 3, minor: 11 }), undefined)
  })
})
