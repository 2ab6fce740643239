import * as core from '@actions/core'
import * as io from '@actions/io'
import { command } from './command.js'
import { ActionError } from './errors.js'
import { redact, type NetworkConfig } from './inputs.js'
import { retryPolicy, TransientError, withRetries } from './retry.js'

/** Ref name to commit sha; annotated tags map to the commit they point at. */
export type RefMap = Map<string, string>

export function parseLsRemote(output: string): RefMap {
  const refs: RefMap = new Map()
  const peeled: RefMap = new Map()
  for (const line of output.split('\n')) {
    const [sha, ref] = line.trim().split(/\s+/)
    if (!sha || !ref) continue
    if (ref.endsWith('^{}')) peeled.set(ref.slice(0, -3), sha)
    else refs.set(ref, sha)
  }
  for (const [ref, sha] of peeled) refs.set(ref, sha)
  return refs
}

/** The first candidate that exists, with its commit. */
export function pickRef(refs: RefMap, candidates: readonly string[]): { ref: string; sha: string } | undefined {
  for (const ref of candidates) {
    const sha = refs.get(ref)
    if (sha) return { ref, sha }
  }
  return undefined
}

const NETWORK_TROUBLE = /could not resolve host|connection (refused|reset|timed out)|timed out|early eof|HTTP 5\d\d|returned error: 5\d\d|unable to access/i

/** Lists the branches and tags of a repository without cloning it. */
export async function listRefs(repository: string, network: NetworkConfig): Promise<RefMap> {
  const git = await io.which('git', false)
  if (!git) throw new ActionError(`git is not installed, and mode 'stable'/'master' needs it. Install git on the runner first.`)
  const shown = redact(repository)
  return withRetries(
    `git ls-remote ${shown}`,
    async () => {
      const result = await command(git, ['ls-remote', '--heads', '--tags', repository], {
        silent: true,
        env: {
          ...process.env,
          // A repository that asks for credentials must fail, not wait for a prompt,
          // and a stalled transfer must give up after the timeout.
          GIT_TERMINAL_PROMPT: '0',
          GIT_HTTP_LOW_SPEED_LIMIT: '1',
          GIT_HTTP_LOW_SPEED_TIME: String(network.timeoutSeconds)
        }
      })
      if (result.exitCode === 0) return parseLsRemote(result.stdout)
      const reason = redact(result.stderr.trim().split('\n').slice(-2).join(' '))
      if (NETWORK_TROUBLE.test(reason)) throw new TransientError(reason)
      throw new ActionError(`Could not read the git repository ${shown}: ${reason}. Check the 'repository' input.`)
    },
    retryPolicy(network),
    reason => `Could not reach the git repository ${shown}: ${reason}. Re-run the job later.`
  )
}

export interface ResolvedSource {
  /** What pip is given. */
  requirement: string
  /** Commit installed (git modes), '' in release mode. */
  commit: string
}

/**
 * Turns the plan's candidate refs into one commit. An end-of-life series has
 * lost its stable branch and kept a `<series>-eol` tag, which we fall back to.
 */
export async function resolveGitRef(
  git: { repository: string; refs: string[] },
  series: string,
  network: NetworkConfig
): Promise<{ ref: string; sha: string }> {
  const refs = await listRefs(git.repository, network)
  const picked = pickRef(refs, git.refs)
  if (!picked) {
    const related = [...refs.keys()].filter(r => r.includes(series) || /\/stable\/|-eol$/.test(r)).map(r => r.replace(/^refs\/(heads|tags)\//, ''))
    const wanted = git.refs.map(r => r.replace(/^refs\/(heads|tags)\//, '')).join("' or '")
    throw new ActionError(
      `${redact(git.repository)} has no '${wanted}'. ` +
        (related.length ? `Refs it has for stable series: ${related.join(', ')}.` : 'It has no stable branches or -eol tags at all.') +
        ` Pick a series that has one, or use 'mode: release'.`
    )
  }
  if (picked.ref !== git.refs[0]) {
    core.notice(`${git.refs[0].replace('refs/heads/', '')} no longer exists (the series reached end of life); installing the ${picked.ref.replace('refs/tags/', '')} tag, commit ${picked.sha.slice(0, 12)}.`)
  } else {
    core.info(`${picked.ref.replace('refs/heads/', '')} is at ${picked.sha}`)
  }
  return picked
}
