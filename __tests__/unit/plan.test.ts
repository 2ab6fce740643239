import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseInputs } from '../../src/inputs.js'
import { gitRequirement, makePlan } from '../../src/plan.js'

const plan = (inputs: Record<string, string>) => makePlan(parseInputs(name => inputs[name] ?? ''))

describe('plan', () => {
  it('release mode: the series major and its constraints', () => {
    const p = plan({ release: 'ocata' })
    assert.equal(p.release?.requirement, 'nova-dpm>=1.0.0,<2.0.0')
    assert.deepEqual(p.constraints, { kind: 'url', url: 'https://releases.openstack.org/constraints/upper/ocata' })
    assert.equal(p.module, 'nova_dpm')
    assert.equal(p.git, undefined)
  })

  it('release mode honours a version override and the package', () => {
    const p = plan({ release: 'pike', package: 'networking-dpm', version: '^2.0.1' })
    assert.equal(p.release?.requirement, 'networking-dpm>=2.0.1,<3.0.0')
    assert.equal(p.module, 'networking_dpm')
    assert.deepEqual(p.warnings, [])
  })

  it('warns when the range lies outside the series, fails when nothing matches', () => {
    assert.match(plan({ release: 'queens', version: '2.x' }).warnings[0], /outside queens's releases \(3\.x\)/)
    assert.throws(() => plan({ release: 'queens', version: '>3.0.0 <2.0.0' }), /matches no version at all/)
  })

  it('a series without a release points to what works', () => {
    assert.throws(
      () => plan({ release: 'rocky' }),
      /nova-dpm has no release for OpenStack rocky: PyPI has releases for ocata \(1\.x\), pike \(2\.x\), queens \(3\.x\) only.*'mode: stable'.*'release: master'/
    )
  })

  it('stable mode tries the branch, then the eol tag, with the series constraints', () => {
    const p = plan({ release: 'ocata', mode: 'stable' })
    assert.deepEqual(p.git, { repository: 'https://opendev.org/x/nova-dpm', refs: ['refs/heads/stable/ocata', 'refs/tags/ocata-eol'] })
    assert.deepEqual(p.constraints, { kind: 'url', url: 'https://releases.openstack.org/constraints/upper/ocata' })
    assert.equal(p.release, undefined)
  })

  it('stable mode works for series without a PyPI release', () => {
    assert.deepEqual(plan({ release: 'rocky', mode: 'stable' }).git?.refs, ['refs/heads/stable/rocky', 'refs/tags/rocky-eol'])
  })

  it('master mode uses master and its constraints; an explicit constraints input wins', () => {
    const p = plan({ release: 'master', package: 'networking-dpm' })
    assert.deepEqual(p.git?.refs, ['refs/heads/master'])
    assert.equal(p.git?.repository, 'https://opendev.org/x/networking-dpm')
    assert.deepEqual(p.constraints, { kind: 'url', url: 'https://releases.openstack.org/constraints/upper/master' })
    assert.deepEqual(plan({ release: 'master', constraints: 'none' }).constraints, { kind: 'none' })
  })

  it('pins git installs to a commit, with local paths as file URLs', () => {
    assert.equal(gitRequirement('nova-dpm', 'https://opendev.org/x/nova-dpm', 'abc'), 'git+https://opendev.org/x/nova-dpm@abc#egg=nova-dpm')
    assert.equal(gitRequirement('nova-dpm', '/srv/git/nova-dpm', 'abc'), 'git+file:///srv/git/nova-dpm@abc#egg=nova-dpm')
  })
})
