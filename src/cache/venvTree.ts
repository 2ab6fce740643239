import * as fs from 'node:fs'
import * as path from 'node:path'
import { shown } from '../log/escape.js'
import { checkFiles, recordEntries, type RecordFile } from '../python/verify.js'
import { VENV_MARKER } from '../python/venv.js'

/** Paths named in a refusal, before the rest is counted. */
const SHOWN_PATHS = 5

/**
 * Why a restored venv may not run, read with node alone before any of its
 * interpreters starts; empty when every entry of the tree is accounted for:
 *
 * - a file listed by a RECORD (or installed-files.txt) in its site-packages,
 *   with the recorded size and hash;
 * - or exactly what the venv tool writes for the base interpreter at this
 *   path, compared with `reference`, a skeleton that tool just made from the
 *   base at another path (the key names that base): pyvenv.cfg, the activate
 *   scripts, the interpreter links and their targets, 2.7's site.py and its
 *   links into the base's library;
 * - or the action's marker.
 *
 * Anything else is named: a `.pth`, sitecustomize or usercustomize no RECORD
 * lists (Python runs them at every start), a link the venv tool did not make
 * (out of the venv, or a `bin/python` that is not the base), a replaced
 * interpreter, a FIFO or device, a set-user-ID file. Byte code is deleted,
 * never judged: pip records it without a hash, and Python compiles it again
 * from the sources the RECORDs prove. `target` is where the venv was made
 * (and will be): the reference's own path is replaced by it before comparing.
 */
export function unprovenTree(venv: string, reference: string, target: string): string[] {
  const problems: string[] = []
  const claimed = new Set<string>()
  for (const record of records(venv)) {
    problems.push(...checkFiles(path.basename(path.dirname(record.file)), record))
    claimed.add(record.file)
    const text = fs.readFileSync(record.file, 'utf8')
    for (const entry of recordEntries(text, record.hashed)) claimed.add(path.resolve(record.base, entry.path))
  }
  const same = sameAsReference(reference, target)
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name)
      const relative = path.relative(venv, full)
      const stat = fs.lstatSync(full)
      if (stat.isDirectory()) {
        walk(full)
      } else if (stat.isFile() && /\.py[co]$/.test(name)) {
        fs.rmSync(full)
      } else {
        const why = entryProblem(relative, full, stat, claimed.has(full), () => same(relative, full, stat))
        if (why) problems.push(`${shown(relative)} ${why}`)
      }
    }
  }
  walk(venv)
  // Without it the next run would take the restored venv for someone else's and refuse to replace it.
  if (!fs.lstatSync(path.join(venv, VENV_MARKER), { throwIfNoEntry: false })?.isFile()) problems.push(`${VENV_MARKER} (the action's marker) is missing`)
  if (problems.length <= SHOWN_PATHS) return problems
  return [...problems.slice(0, SHOWN_PATHS), `${problems.length - SHOWN_PATHS} more`]
}

function entryProblem(relative: string, full: string, stat: fs.Stats, claimed: boolean, sameAsTool: () => boolean): string | undefined {
  if (stat.isSymbolicLink()) return sameAsTool() ? undefined : `is a link to ${shown(fs.readlinkSync(full))}, which the venv tool did not make`
  if (!stat.isFile()) return 'is neither a file, a directory nor a link'
  if (stat.mode & 0o6000) return 'is set-user-ID or set-group-ID'
  if (claimed || relative === VENV_MARKER || sameAsTool()) return undefined
  const name = path.basename(relative)
  if (name.endsWith('.pth') || /^(site|user)customize(\.|$)/.test(name)) return 'is listed by no RECORD, and Python runs it at every start'
  if (/^bin\/python/.test(relative)) return 'is not the interpreter the venv tool links to'
  return 'is listed by no RECORD and is not what the venv tool writes'
}

/** Whether an entry not in a RECORD is what the venv tool made in the reference, its path swapped for the target's. */
function sameAsReference(reference: string, target: string): (relative: string, full: string, stat: fs.Stats) => boolean {
  const swap = (text: string) => text.split(reference).join(target)
  return (relative, full, stat) => {
    const theirs = path.join(reference, relative)
    const model = fs.lstatSync(theirs, { throwIfNoEntry: false })
    if (!model) return false
    if (stat.isSymbolicLink()) return model.isSymbolicLink() && swap(fs.readlinkSync(theirs)) === fs.readlinkSync(full)
    if (!model.isFile() || !stat.isFile()) return false
    // latin1 keeps every byte: binaries (2.7's copied interpreter) compare as they are.
    let expected = swap(fs.readFileSync(theirs, 'latin1'))
    let actual = fs.readFileSync(full, 'latin1')
    if (relative === 'pyvenv.cfg') {
      // The command line that made it (3.11+) is a note Python never reads; the reference was made without pip.
      const noted = (text: string) => text.replace(/^command = .*\n/m, '')
      expected = noted(expected)
      actual = noted(actual)
    }
    return expected === actual
  }
}

/** The file lists of every distribution in the venv's site-packages. */
function records(venv: string): RecordFile[] {
  const found: RecordFile[] = []
  const lib = path.join(venv, 'lib')
  for (const python of readdir(lib)) {
    const sitePackages = path.join(lib, python, 'site-packages')
    if (!isRealDirectory(sitePackages)) continue
    for (const name of readdir(sitePackages)) {
      const dir = path.join(sitePackages, name)
      if (!isRealDirectory(dir)) continue
      if (name.endsWith('.dist-info')) found.push({ file: path.join(dir, 'RECORD'), base: sitePackages, hashed: true })
      else if (name.endsWith('.egg-info') && fs.existsSync(path.join(dir, 'installed-files.txt'))) found.push({ file: path.join(dir, 'installed-files.txt'), base: dir, hashed: false })
    }
  }
  return found.filter(r => fs.lstatSync(r.file, { throwIfNoEntry: false })?.isFile())
}

function isRealDirectory(dir: string): boolean {
  return fs.lstatSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false
}

function readdir(dir: string): string[] {
  return isRealDirectory(dir) ? fs.readdirSync(dir) : []
}
