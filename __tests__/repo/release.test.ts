import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'

const root = join(import.meta.dirname, '..', '..')
const scratch = mkdtempSync(join(tmpdir(), 'release-test-'))
after(() => rmSync(scratch, { recursive: true, force: true }))

const identity = {
  GIT_AUTHOR_NAME: 'Release Test', GIT_AUTHOR_EMAIL: 'release@example.invalid',
  GIT_COMMITTER_NAME: 'Release Test', GIT_COMMITTER_EMAIL: 'release@example.invalid'
}
// The tests replace build and test with fast stand-ins; nothing from the caller leaks in.
const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...identity, GIT_CONFIG_NOSYSTEM: '1' }
  for (const name of Object.keys(env)) if (name.startsWith('RELEASE_') || name.startsWith('GIT_DIR') || name === 'GIT_WORK_TREE') delete env[name]
  return env
}

let count = 0

function git (repo: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, env: baseEnv(), encoding: 'utf8' }).trim()
}

// A clone of this repository on main, with the working tree's release script and
// a release commit for `version` (CHANGELOG section and package.json version).
function cloneFor (version: string): string {
  const repo = join(scratch, `repo-${++count}`)
  execFileSync('git', ['clone', '--quiet', root, repo], { env: baseEnv() })
  git(repo, 'checkout', '--quiet', '-B', 'main')
  mkdirSync(join(repo, 'scripts'), { recursive: true })
  copyFileSync(join(root, 'scripts', 'release.sh'), join(repo, 'scripts', 'release.sh'))
  prepare(repo, version)
  return repo
}

// A section's body as CHANGELOG.md holds it and as the release notes must give it back.
const notesOf = (version: string): string => `### Fixed\n\n- Something in ${version}.\n  Two lines.`

function prepare (repo: string, version: string, unreleased = ''): void {
  const pkgPath = join(repo, 'package.json')
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }
  writeFileSync(pkgPath, JSON.stringify({ ...pkg, version }, null, 2) + '\n')
  writeFileSync(join(repo, 'CHANGELOG.md'), `# Changelog\n\n## [Unreleased]\n\n${unreleased}## [${version}] - 2030-01-01\n\n${notesOf(version)}\n\n` +
    '## [0.9.0] - 2029-01-01\n\n- Older.\n\n[Unreleased]: https://example.invalid/compare\n')
  git(repo, 'add', '-A')
  git(repo, 'commit', '--quiet', '--allow-empty', '-m', `Release ${version}`)
}

type Run = { status: number | null, stdout: string, stderr: string }

function release (repo: string, version: string | string[], env: NodeJS.ProcessEnv = { RELEASE_BUILD_COMMAND: 'true', RELEASE_TEST_COMMAND: 'true' }): Run {
  const run = spawnSync('bash', ['scripts/release.sh', ...[version].flat()], { cwd: repo, env: { ...baseEnv(), ...env }, encoding: 'utf8', timeout: 60_000 })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

const tags = (repo: string): string[] => git(repo, 'tag', '--list').split('\n').filter(Boolean).sort()
const commitOf = (repo: string, ref: string): string => git(repo, 'rev-parse', `${ref}^{commit}`)

describe('scripts/release.sh', { timeout: 120_000 }, () => {
  test('tags the release and moves the major tag, both annotated, and prints how to push', () => {
    const repo = cloneFor('1.4.0')
    const run = release(repo, 'v1.4.0')
    assert.equal(run.status, 0, run.stderr)
    const head = git(repo, 'rev-parse', 'HEAD')
    for (const tag of ['v1.4.0', 'v1']) {
      assert.equal(git(repo, 'cat-file', '-t', tag), 'tag', `${tag} is not annotated`)
      assert.equal(commitOf(repo, tag), head)
    }
    assert.match(run.stdout, /^ {2}git push origin refs\/tags\/v1\.4\.0$/m)
    assert.match(run.stdout, /^ {2}git push --force origin refs\/tags\/v1$/m)
    const notesFile = join(repo, '.git', 'release-notes-v1.4.0.md')
    assert.equal(readFileSync(notesFile, 'utf8'), notesOf('1.4.0') + '\n')
    assert.ok(run.stdout.includes(`\n  gh release create v1.4.0 --verify-tag --title v1.4.0 --notes-file ${notesFile}\n`), run.stdout)

    prepare(repo, '1.5.0')
    assert.equal(release(repo, 'v1.5.0').status, 0)
    assert.equal(commitOf(repo, 'v1'), git(repo, 'rev-parse', 'HEAD'), 'v1 did not move to the new release')
    assert.equal(commitOf(repo, 'v1.4.0'), head)
  })

  test('refuses while [Unreleased] lists changes, says how to move them, and tags nothing', () => {
    const repo = cloneFor('1.4.0')
    prepare(repo, '1.4.0', '### Added\n\n- Not yet in a release.\n\n')
    const before = tags(repo)
    const run = release(repo, 'v1.4.0')
    assert.notEqual(run.status, 0)
    assert.match(run.stderr, /still lists changes under '## \[Unreleased\]'/)
    assert.match(run.stderr, /put a heading '## \[1\.4\.0\] - \d{4}-\d\d-\d\d' right below/)
    assert.match(run.stderr, /- Not yet in a release\./)
    assert.deepEqual(tags(repo), before)
  })

  test('--notes prints the version\'s CHANGELOG.md section, up to the next section, and changes nothing', () => {
    const repo = cloneFor('1.4.0')
    writeFileSync(join(repo, 'stray.txt'), 'a dirty tree does not matter here')
    const run = release(repo, ['--notes', 'v1.4.0'])
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stdout, notesOf('1.4.0') + '\n')
    assert.equal(release(repo, ['--notes', 'v0.9.0']).stdout, '- Older.\n', 'the link definitions at the bottom ended up in the notes')
    assert.deepEqual(tags(repo), [])
    const missing = release(repo, ['--notes', 'v1.5.0'])
    assert.notEqual(missing.status, 0)
    assert.match(missing.stderr, /no section '## \[1\.5\.0\]'/)
    assert.equal(missing.stdout, '')
    writeFileSync(join(repo, 'CHANGELOG.md'), '# Changelog\n\n## [Unreleased]\n\n## [1.4.0] - 2030-01-01\n\n\n## [0.9.0]\n\n- Older.\n')
    const empty = release(repo, ['--notes', 'v1.4.0'])
    assert.notEqual(empty.status, 0)
    assert.match(empty.stderr, /section '## \[1\.4\.0\]' is empty/)
  })

  test('refuses when the tests fail, and tags nothing', () => {
    const repo = cloneFor('1.4.0')
    const before = tags(repo)
    const run = release(repo, 'v1.4.0', { RELEASE_BUILD_COMMAND: 'true', RELEASE_TEST_COMMAND: 'false' })
    assert.notEqual(run.status, 0)
    assert.match(run.stderr, /the tests failed/)
    assert.deepEqual(tags(repo), before)
  })

  test('refuses when dist/ is not what the build makes, and tags nothing', () => {
    const repo = cloneFor('1.4.0')
    const before = tags(repo)
    const run = release(repo, 'v1.4.0', { RELEASE_BUILD_COMMAND: 'echo "// rebuilt" >> dist/index.js', RELEASE_TEST_COMMAND: 'true' })
    assert.notEqual(run.status, 0)
    assert.match(run.stderr, /dist\/ is not a fresh build/)
    assert.deepEqual(tags(repo), before)
  })

  test('builds with npm run build and tests with npm test by default', () => {
    const repo = cloneFor('1.4.0')
    const bin = join(scratch, `bin-${count}`)
    mkdirSync(bin)
    const log = join(bin, 'npm.log')
    writeFileSync(join(bin, 'npm'), `#!/bin/sh\necho "$*" >> '${log}'\n`)
    chmodSync(join(bin, 'npm'), 0o755)
    const run = release(repo, 'v1.4.0', { PATH: `${bin}:${process.env.PATH}` })
    assert.equal(run.status, 0, run.stderr)
    assert.deepEqual(readFileSync(log, 'utf8').split('\n').filter(Boolean), ['run build', 'test'])
  })

  test('refuses bad or stale versions, a dirty tree, another branch, and a version CHANGELOG.md or package.json do not name', () => {
    const repo = cloneFor('1.4.0')
    const refusals: Array<[string, RegExp, () => void]> = [
      ['1.4.0', /not a release version/, () => {}],
      ['v1.4', /not a release version/, () => {}],
      ['v01.4.0', /not a release version/, () => {}],
      ['v1.4.0', /uncommitted changes/, () => writeFileSync(join(repo, 'stray.txt'), 'x')],
      ['v1.4.0', /on main, not on 'topic'/, () => { rmSync(join(repo, 'stray.txt')); git(repo, 'checkout', '--quiet', '-b', 'topic') }],
      ['v1.4.0', /not newer than the newest release, v1\.10\.0/, () => { git(repo, 'checkout', '--quiet', 'main'); git(repo, 'tag', 'v1.10.0', 'HEAD~1') }],
      ['v1.10.0', /already tagged/, () => {}],
      ['v1.11.0', /CHANGELOG\.md has no section '## \[1\.11\.0\]'/, () => {}]
    ]
    for (const [version, message, arrange] of refusals) {
      arrange()
      const before = tags(repo)
      const run = release(repo, version)
      assert.notEqual(run.status, 0, `${version} was not refused`)
      assert.match(run.stderr, message, `${version}: ${run.stderr}`)
      assert.deepEqual(tags(repo), before)
    }
    prepare(repo, '1.11.0')
    writeFileSync(join(repo, 'CHANGELOG.md'), readFileSync(join(repo, 'CHANGELOG.md'), 'utf8') + '## [1.12.0]\n\n- Next.\n')
    git(repo, 'commit', '--quiet', '-am', 'Changelog for 1.12.0 only')
    const run = release(repo, 'v1.12.0')
    assert.notEqual(run.status, 0)
    assert.match(run.stderr, /package\.json has version 1\.11\.0, not 1\.12\.0/)
  })
})
