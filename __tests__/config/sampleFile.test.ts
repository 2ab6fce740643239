import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { after, beforeEach, describe, it } from 'node:test'
import { SAMPLE_MARKER, checkSamplePath, writeSample } from '../../src/config/sampleFile.js'
import { ActionError } from '../../src/errors.js'

const SAMPLE = '[DEFAULT]\n\n#host = <None>\n'
const dirs: string[] = []
let workspace: string
let outside: string

function temp(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  dirs.push(dir)
  return dir
}

/** The ActionError's message, with the state of the disk checked by the caller. */
function refusal(file: string): string {
  try {
    writeSample(file, workspace, SAMPLE)
  } catch (error) {
    assert.ok(error instanceof ActionError, `expected an ActionError, got ${String(error)}`)
    assert.doesNotMatch(error.message, /[\r\n]/)
    return error.message
  }
  assert.fail(`expected writing ${file} to be refused`)
}

/** Every name in a directory: no temporary file is ever left behind. */
const names = (dir: string) => fs.readdirSync(dir).sort()

describe('config-sample: only a new file or the action’s own', { timeout: 10_000 }, () => {
  beforeEach(() => {
    workspace = temp('nova-dpm-workspace-')
    outside = temp('nova-dpm-outside-')
  })
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('writes a new file, its directories made, the marker on the first line', () => {
    const file = path.join(workspace, 'etc', 'nova', 'nova-dpm.conf.sample')
    assert.equal(checkSamplePath(file, workspace), 'absent')
    writeSample(file, workspace, SAMPLE)
    const text = fs.readFileSync(file, 'utf8')
    assert.ok(text.startsWith(`${SAMPLE_MARKER}, `), text)
    assert.equal(text.slice(text.indexOf('\n') + 1), SAMPLE)
    assert.deepEqual(names(path.dirname(file)), ['nova-dpm.conf.sample'])
    assert.equal(checkSamplePath(file, workspace), 'ours')
  })

  it('replaces a file it wrote before, on every later run', () => {
    const file = path.join(workspace, 'dpm.conf.sample')
    writeSample(file, workspace, SAMPLE)
    writeSample(file, workspace, '[DEFAULT]\n#second = 2\n')
    assert.match(fs.readFileSync(file, 'utf8'), /\n\[DEFAULT\]\n#second = 2\n$/)
    writeSample(file, workspace, '[DEFAULT]\n#third = 3\n')
    assert.match(fs.readFileSync(file, 'utf8'), /\n\[DEFAULT\]\n#third = 3\n$/)
    assert.deepEqual(names(workspace), ['dpm.conf.sample'])
  })

  it('leaves an existing setup.cfg byte for byte, and says what to do', () => {
    const file = path.join(workspace, 'setup.cfg')
    const mine = Buffer.from('[metadata]\nname = my-project\n# Written by setup-nova-dpm? no: by me\n')
    fs.writeFileSync(file, mine)
    assert.equal(
      refusal(file),
      `The config-sample path ${file} is a file the action did not write (its first line is not '${SAMPLE_MARKER}…'), so the action leaves it untouched. ` +
        "Set 'config-sample' to a new path, or delete what is there. The install itself succeeded."
    )
    assert.deepEqual(fs.readFileSync(file), mine)
    assert.deepEqual(names(workspace), ['setup.cfg'])
    // An empty file is not the action's either.
    fs.writeFileSync(path.join(workspace, 'empty.conf'), '')
    assert.match(refusal(path.join(workspace, 'empty.conf')), /is a file the action did not write/)
  })

  it('never writes through a symbolic link, to a file outside or to its own sample', () => {
    const victim = path.join(outside, 'nova.conf')
    fs.writeFileSync(victim, 'precious\n')
    const link = path.join(workspace, 'nova.conf.sample')
    fs.symlinkSync(victim, link)
    assert.match(refusal(link), new RegExp(`^The config-sample path ${link} is a symbolic link \\(to ${victim}\\); the action never writes through a link\\. `))
    assert.equal(fs.readFileSync(victim, 'utf8'), 'precious\n')
    assert.equal(fs.readlinkSync(link), victim)

    const own = path.join(workspace, 'own.sample')
    writeSample(own, workspace, SAMPLE)
    fs.symlinkSync(own, path.join(workspace, 'alias.sample'))
    assert.match(refusal(path.join(workspace, 'alias.sample')), /is a symbolic link/)
    fs.symlinkSync(path.join(outside, 'missing'), path.join(workspace, 'dangling.sample'))
    assert.match(refusal(path.join(workspace, 'dangling.sample')), /is a symbolic link/)
    assert.deepEqual(names(outside), ['nova.conf'])
  })

  it('refuses a directory on the way in the workspace that is a link leaving it', () => {
    fs.symlinkSync(outside, path.join(workspace, 'etc'))
    const file = path.join(workspace, 'etc', 'nova', 'nova.conf.sample')
    assert.equal(
      refusal(file),
      `The config-sample path ${file} goes through ${path.join(workspace, 'etc')}, a symbolic link to ${outside}, which leads outside the workspace (or nowhere), so the action writes nothing there. ` +
        "Set 'config-sample' to a path that stays inside the workspace, or name the directory meant by its absolute path. The install itself succeeded."
    )
    assert.deepEqual(names(outside), [])
    // A link that stays inside the workspace is only another name for a directory there.
    fs.mkdirSync(path.join(workspace, 'real'))
    fs.symlinkSync(path.join(workspace, 'real'), path.join(workspace, 'conf'))
    writeSample(path.join(workspace, 'conf', 'x.sample'), workspace, SAMPLE)
    assert.ok(fs.readFileSync(path.join(workspace, 'real', 'x.sample'), 'utf8').startsWith(SAMPLE_MARKER))
  })

  it('takes an absolute path outside the workspace as named, under the same rule', () => {
    const file = path.join(outside, 'runner-temp', 'nova-dpm.conf.sample')
    writeSample(file, workspace, SAMPLE)
    assert.ok(fs.readFileSync(file, 'utf8').startsWith(SAMPLE_MARKER))
    writeSample(file, workspace, SAMPLE)
    const theirs = path.join(outside, 'nova.conf')
    fs.writeFileSync(theirs, 'precious\n')
    assert.match(refusal(theirs), /is a file the action did not write/)
    assert.equal(fs.readFileSync(theirs, 'utf8'), 'precious\n')
  })

  it('refuses a directory, and a file where a directory should be', () => {
    fs.mkdirSync(path.join(workspace, 'etc'))
    assert.match(refusal(path.join(workspace, 'etc')), /^The config-sample path .*\/etc is a directory\. Set 'config-sample' to a new path/)
    fs.writeFileSync(path.join(workspace, 'file'), 'x')
    assert.match(refusal(path.join(workspace, 'file', 'x.sample')), /goes through .*\/file, which is a file, not a directory\./)
  })

  it('says so when the directory cannot be made or written, and returns at once', () => {
    // mkdir under /proc fails with ENOENT even as root, where Node's recursive mkdir never returns.
    assert.match(
      refusal('/proc/nova-dpm-sample/etc/x.sample'),
      /^Could not write the sample configuration into \/proc\/nova-dpm-sample\/etc \(ENOENT: .*\)\. Set 'config-sample' to a path the runner can write\. The install itself succeeded\.$/
    )
    assert.match(refusal('/proc/self/x.sample'), /^Could not write the sample configuration into \/proc\/self \(ENOENT: /)
  })
})
