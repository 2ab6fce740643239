import { runProcess, type ProcessResult, type RunOptions } from '../io/process.js'

/**
 * The locale every Python the action starts gets when the job's is not UTF-8.
 * Under `LC_ALL=C` Python 2.7 and 3.6 take file names as ASCII, so a
 * venv-path or workspace with `ä` in it breaks venv, ensurepip and pip deep
 * inside site.py or distlib. C.UTF-8 is in
 * glibc itself from 2.35 and in every Debian/Ubuntu image before that.
 */
export const UTF8_LOCALE = 'C.UTF-8'

/**
 * `env` for a Python child: unchanged when its character set is already
 * UTF-8, else with LC_ALL and PYTHONIOENCODING set to UTF-8. Only the
 * action's own children get it; the job's later steps keep their locale.
 */
export function pythonEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (isUtf8(localeCharset(env))) return env
  return { ...env, LC_ALL: UTF8_LOCALE, PYTHONIOENCODING: 'utf-8' }
}

/** LC_CTYPE as the C library resolves it: LC_ALL, then LC_CTYPE, then LANG; none set is the C locale. */
export function localeCharset(env: NodeJS.ProcessEnv): string {
  return env.LC_ALL || env.LC_CTYPE || env.LANG || 'C'
}

function isUtf8(locale: string): boolean {
  return /utf-?8/i.test(locale)
}

/** The one way the action starts a Python interpreter (or a Python tool such as virtualenv). */
export function runPython(program: string, args: readonly string[], options: RunOptions): Promise<ProcessResult> {
  return runProcess(program, args, { ...options, env: pythonEnvironment(options.env ?? process.env) })
}
