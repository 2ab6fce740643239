import { releasedSeries } from '../../source/releases.js'
import { type PipFailure, type PipFailureContext, quote } from './failure.js'
import { INSTALLING_BUILD_DEPS, MISSING_SETUP_PY, NOT_A_PROJECT, ONLY_SETUP_PY_MISSING, RAN_EGG_INFO, what } from './output.js'
import { type PipText, pipMajor } from './text.js'

/** A source with nothing to build, or one only a newer pip can build. */
export function notAProject(text: PipText, context: PipFailureContext): PipFailure | undefined {
  const said = NOT_A_PROJECT.map(re => text.first(re)).find(Boolean)
  if (said && ONLY_SETUP_PY_MISSING.test(said.input ?? '') && editable(said[1], context)) return editableTooOld(said[1], context)
  if (said) return notAProjectFailure(said[1])
  const missingSetupPy = text.first(MISSING_SETUP_PY)
  if (!missingSetupPy || !text.has(RAN_EGG_INFO)) return undefined
  const source = what(text) ?? 'the project'
  // pip < 19 ran `setup.py` because it cannot build through pyproject.toml's backend (PEP 517):
  // it installed that backend first, so the project has a pyproject.toml.
  if (pipMajor(context.pipVersion) < 19 && text.has(INSTALLING_BUILD_DEPS)) {
    return {
      kind: 'pip-too-old',
      message:
        `pip ${context.pipVersion} cannot install ${quote(source)}: the project has a pyproject.toml build backend and no setup.py, and pip builds such ` +
        `projects (PEP 517) only from version 19 on; pip ran setup.py anyway and failed with ${quote(missingSetupPy[0])}. Upgrade pip in this ` +
        `Python (${context.pythonVersion}) before this step, e.g. \`python -m pip install "pip>=19,<21"\` (pip 20.3.4 is the last for 2.7, 21.3.1 for 3.6), ` +
        'then re-run.'
    }
  }
  return notAProjectFailure(source)
}

/** Whether pip was asked for `dir` in editable mode (`-e <dir>` in the requirements handed to it). */
function editable(dir: string, context: PipFailureContext): boolean {
  return context.requirements.some(r => {
    const m = r.match(/^(?:-e|--editable)\s+"?(.+?)"?$/)
    return m !== null && (m[1] === dir || m[1].replace(/\/$/, '') === dir.replace(/\/$/, ''))
  })
}

/**
 * A project with pyproject.toml and no setup.py is a project: an editable
 * install of it needs PEP 660, which pip supports from 21.3 on.
 */
function editableTooOld(dir: string, context: PipFailureContext): PipFailure {
  return {
    kind: 'pip-too-old',
    message:
      `pip ${context.pipVersion} cannot install ${quote(dir)} in editable mode: the project has a pyproject.toml and no setup.py, and pip installs ` +
      `such projects editable (PEP 660) only from version 21.3 on. Install it without '-e' (and without 'editable: true'), or upgrade pip in this ` +
      `Python (${context.pythonVersion}) before this step, e.g. \`python -m pip install "pip>=21.3"\` (Python 3.6's last pip, 21.3.1, has it; 2.7's pips do not).`
  }
}

function notAProjectFailure(source: string): PipFailure {
  return {
    kind: 'not-a-project',
    message:
      `${quote(source)} is not a Python project: it has neither setup.py nor pyproject.toml. A branch that only holds a README is a retired ` +
      `one; install a released version ('mode: release' with ${releasedSeries()
        .map(s => s.name)
        .join(', ')}) or a series whose branch still holds the code, or point 'requirements' at the project's directory.`
  }
}
