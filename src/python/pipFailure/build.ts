import { type PipFailure, type PipFailureContext, quote, withUntested } from './failure.js'
import { BUILD_DEPS_FAILED, BUILD_FAILED, ERRORISH, PIP_OWN, what } from './output.js'
import type { PipText } from './text.js'

/** A build from source failed, or pip could not install what the build needs. */
export function buildFailure(text: PipText, context: PipFailureContext): PipFailure | undefined {
  const deps = text.has(BUILD_DEPS_FAILED)
  if (!deps && !text.has(BUILD_FAILED)) return undefined
  const source = what(text) ?? 'a project from source'
  const reason = buildError(text)
  const said = reason ? `: ${quote(reason)}` : ''
  if (deps) {
    return {
      kind: 'build-failure',
      message: withUntested(
        `pip could not install the build requirements of ${quote(source)} (its pyproject.toml [build-system] requires, such as setuptools, ` +
          `wheel or pbr)${said}. Make sure the package index (input 'index-url' or your pip configuration) serves them for Python ` +
          `${context.pythonVersion}.`,
        context
      )
    }
  }
  return {
    kind: 'build-failure',
    message: withUntested(
      `pip could not build ${quote(source)} from source${said}. Install what its build needs on the runner (compilers, system libraries), ` +
        'or use a version that publishes a wheel for this Python.',
      context
    )
  }
}

/** The last line of the build's own output that reports an error. */
function buildError(text: PipText): string | undefined {
  // With --log, pip writes the build's output to the log only.
  const fromBlocks = text.blocks.length > 0
  const candidates = (fromBlocks ? text.blocks : text.log).filter(line => line !== '' && !PIP_OWN.test(line))
  const found = [...candidates].reverse().find(line => ERRORISH.test(line)) ?? (fromBlocks ? candidates.at(-1) : undefined)
  return found?.replace(/^ERROR: /, '')
}
