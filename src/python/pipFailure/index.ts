/**
 * What went wrong in a failed `pip install`, said so that the user can act
 * on it: one paragraph, pip's own words quoted (escaped, credentials masked),
 * none of its "a subprocess failed, see above" boilerplate.
 *
 * What pip says is read in output.ts (its console) and log.ts (its debug
 * log), in the words of each pip generation; each class of failure is one
 * file, which decides from those readings and words the message.
 */
import { redact } from '../../log/secrets.js'
import { brokenDistribution } from './brokenDistribution.js'
import { buildFailure } from './build.js'
import { conflict } from './conflict.js'
import type { PipFailure, PipFailureContext } from './failure.js'
import { gitFetch } from './git.js'
import { logLines } from './log.js'
import { network } from './network.js'
import { noSpace } from './noSpace.js'
import { notAProject } from './notAProject.js'
import { notFound } from './notFound.js'
import { consoleLines } from './output.js'
import { pythonVersion } from './pythonVersion.js'
import { PipText } from './text.js'
import { unknown } from './unknown.js'

export type { PipFailure, PipFailureContext, PipFailureKind } from './failure.js'

export function explainPipFailure(output: string, context: PipFailureContext): PipFailure {
  const { console, outside, blocks } = consoleLines(output)
  const text = new PipText(console, outside, blocks, logLines(context.log))
  // The first class that matches names the cause: the order puts a cause before the symptoms it leads to.
  const failure =
    noSpace(text) ??
    notAProject(text, context) ??
    gitFetch(text) ??
    pythonVersion(text, context) ??
    buildFailure(text, context) ??
    brokenDistribution(text) ??
    // An index that failed leaves pip without the versions it needed: what pip then calls a conflict or a missing version follows from it.
    network(text) ??
    conflict(text, context) ??
    notFound(text, context) ??
    unknown(text, context)
  return { kind: failure.kind, message: redact(failure.message) }
}
