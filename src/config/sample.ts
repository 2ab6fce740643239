import * as fs from 'node:fs'
import * as path from 'node:path'
import { ActionError } from '../errors.js'
import { readTextFile } from '../io/files.js'
import { runTempDir } from '../io/tempDir.js'
import { shown } from '../log/escape.js'
import { info } from '../log/log.js'
import type { Interpreter } from '../python/interpreter.js'
import { checkSamplePath, writeSample } from './sampleFile.js'

/** oslo.config's generator reads options from this entry point group; nova-dpm registers `nova_dpm` there. */
export const OPTS_GROUP = 'oslo.config.opts'
const GENERATOR_LIMIT_MS = 2 * 60 * 1000

/** The namespaces the named distributions register for oslo.config. */
export async function configNamespaces(python: Interpreter, distributions: readonly string[]): Promise<string[]> {
  const found = await python.entryPoints(OPTS_GROUP, distributions)
  const namespaces = [...new Set(Object.values(found).flat())].sort()
  if (namespaces.length === 0) {
    throw new ActionError(
      `None of ${distributions.join(', ')} registers an oslo.config namespace (entry point group '${OPTS_GROUP}'), so there is no sample configuration to write. ` +
        `Drop 'config-sample', or add to 'package' or 'requirements' the project whose options you want. The install itself succeeded.`
    )
  }
  return namespaces
}

/**
 * Writes a sample configuration with oslo.config's own generator, run in the
 * target environment: the sample documents exactly the options of the code
 * installed there. The generator writes into the action's own temporary
 * directory; only the action writes at `file`, and only a new file or one it
 * wrote before (sampleFile.ts). The install stands whatever happens here.
 */
export async function writeConfigSample(python: Interpreter, namespaces: string[], file: string, workspace: string): Promise<string> {
  // Before the generator runs: a path the action may not write fails at once.
  checkSamplePath(file, workspace)
  const generated = path.join(fs.mkdtempSync(path.join(runTempDir(), 'config-sample-')), 'sample.conf')
  const result = await python.module('oslo_config.generator', [...namespaces.flatMap(n => ['--namespace', n]), '--output-file', generated], {
    what: 'oslo-config-generator',
    timeoutMs: GENERATOR_LIMIT_MS
  })
  if (result.exitCode !== 0) {
    const last = shown(result.stderr.trim().split('\n').pop() ?? '')
    // Python 3: "…/python: Error while finding module specification for 'oslo_config.generator' (ModuleNotFoundError: No module named 'oslo_config')";
    // Python 2: "…/python: No module named oslo_config.generator". The cause alone says it.
    const missing = /(?:\w+Error: )?No module named '?oslo_config[\w.]*'?/.exec(result.stderr)
    if (missing) {
      throw new ActionError(
        `oslo.config is not importable in ${shown(python.facts.executable)}, so no sample configuration could be written (${shown(missing[0])}). ` +
          `Add 'oslo.config' to 'requirements' (it installs under the same constraints), or drop 'config-sample'. The install itself succeeded.`
      )
    }
    throw new ActionError(`oslo-config-generator failed for namespace(s) ${namespaces.join(', ')}: ${last}. The install itself succeeded.`)
  }
  writeSample(file, workspace, readTextFile(generated, 'The sample oslo-config-generator wrote'))
  info(`Wrote the sample configuration for ${namespaces.join(', ')} to ${shown(file)}.`)
  return file
}
