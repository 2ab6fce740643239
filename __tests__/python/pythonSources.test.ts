import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { pyenvPython, type PythonVersion } from '../fixtures/pythons.js'
import { tempDir } from '../fixtures/runAction.js'

/**
 * Every Python file of the project: the probe the action ships and the
 * fixtures the tests build projects from. They run in interpreters from 2.7
 * to 3.13, and the era's 3.5 is not on this machine.
 */
const ROOTS = ['src', '__tests__']
const VERSIONS: PythonVersion[] = ['2.7', '3.6', '3.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13']

function pythonFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === '__pycache__' ? [] : pythonFiles(full)
    return entry.name.endsWith('.py') ? [full] : []
  })
}

// compile() without writing byte code next to the sources.
const COMPILE = 'import sys\nfor name in sys.argv[1:]:\n    compile(open(name, "rb").read(), name, "exec")\n'
// 3.5's grammar, checked by a newer parser: ast's feature_version (3.8+) refuses f-strings and later syntax.
const GRAMMAR_35 = 'import ast, sys\nfor name in sys.argv[1:]:\n    ast.parse(open(name, "rb").read(), name, feature_version=(3, 5))\n'

describe('the Python sources', () => {
  const files = ROOTS.flatMap(pythonFiles)

  it('include the probe the bundle reads and the fixture build backend', () => {
    assert.ok(files.includes(path.join('src', 'python', 'probe', 'probe_main.py')), files.join(', '))
    assert.ok(files.includes(path.join('__tests__', 'fixtures', 'backend.py')), files.join(', '))
  })

  for (const version of VERSIONS) {
    it(`compile with Python ${version}`, { timeout: 30_000 }, () => {
      execFileSync(pyenvPython(version), ['-c', COMPILE, ...files], { stdio: 'pipe' })
    })
  }

  it("parse with Python 3.5's grammar", { timeout: 30_000 }, () => {
    execFileSync(pyenvPython('3.11'), ['-c', GRAMMAR_35, ...files], { stdio: 'pipe' })
  })

  it('the 3.5 check refuses what 3.5 cannot parse', { timeout: 30_000 }, () => {
    const file = path.join(tempDir('nova-dpm-fstring-'), 'new.py')
    fs.writeFileSync(file, 'x = f"{1}"\n')
    assert.throws(() => execFileSync(pyenvPython('3.11'), ['-c', GRAMMAR_35, file], { stdio: 'pipe' }), /SyntaxError/)
  })

  it('the probe uses nothing newer than 2.7 has', () => {
    const probe = files.filter(file => file.startsWith(path.join('src', 'python', 'probe') + path.sep))
    assert.ok(probe.length >= 5, probe.join(', '))
    for (const file of probe) {
      const code = fs.readFileSync(file, 'utf8').replace(/^\s*#.*$/gm, '')
      assert.doesNotMatch(code, /importlib\.metadata|importlib_metadata|\bnonlocal\b/, file)
    }
  })
})
