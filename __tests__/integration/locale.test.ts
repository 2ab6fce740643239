/**
 * A venv-path with non-ASCII characters and a space, in a job whose locale
 * is C (LC_ALL=C, no LANG): Python 2.7's and 3.6's venv, ensurepip and pip
 * decode such paths as ASCII and fail, unless the action runs them in UTF-8.
 * The job's own later steps keep their locale.
 */
import assert from 'node:assert/strict'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { copiedPython, type PythonVersion } from '../fixtures/pythons.js'
import { installed, runAction, tempDir } from '../fixtures/runAction.js'
import { useWorld } from '../fixtures/suite.js'
import { installInputs } from '../fixtures/world.js'

describe('a non-ASCII venv-path under LC_ALL=C, through dist/index.js', () => {
  const world = useWorld()

  for (const version of ['2.7', '3.6'] as PythonVersion[]) {
    it(`Python ${version}: the venv is created and nova-dpm installed into it`, { timeout: 180_000 }, async () => {
      const venv = path.join(tempDir(`nova-dpm-locale${version}-`), 'ä b', 'venv')
      const run = await runAction(installInputs(world, { release: 'queens', python: copiedPython(version), venv: 'true', 'venv-path': venv }), {
        LC_ALL: 'C',
        LANG: undefined,
        LC_CTYPE: undefined
      })
      assert.equal(run.code, 0, run.stdout)
      const python = path.join(venv, 'bin', 'python')
      assert.equal(run.outputs['python-path'], python)
      assert.equal(installed(python)['nova-dpm'], run.outputs.version)
      assert.equal(run.outputs.version, '3.0.0', 'queens pins nova-dpm===3.0.0')
      assert.equal(run.exported.VIRTUAL_ENV, venv)
      assert.equal(run.exported.LC_ALL, undefined, 'later steps keep the job locale')
      assert.equal(run.exported.PYTHONIOENCODING, undefined)
    })
  }
})
