import { ActionError } from '../errors.js'
import { shown } from '../log/escape.js'
import { info, notice } from '../log/log.js'
import { redact } from '../log/secrets.js'
import { runProcess, type ProcessResult } from './process.js'
import { retryPolicy, TransientError, withRetries, type NetworkSettings } from './retry.js'
import { gitEnvironment, type TransportRule } from './transport.js'
import { trustAdvice } from './trust.js'

/** Ref name to commit sha; annotated tags map to the commit they point at. */
export type RefMap = Map<string, string>

/** Reads `git ls-remote` output; lines that are not `<sha> <ref>` (a server's chatter) are skipped. */
export function parseLsRemote(output: string): RefMap {
  const refs: RefMap = new Map()
  const peeled: RefMap = new Map()
  for (const line of output.split('\n')) {
    const m = line.trim().match(/^([0-9a-f]{40}|[0-9a-f]{64})\s+(refs\/\S+)$/)
    if (!m) continue
    const [, sha, ref] = m
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

// What git and curl say when the network, not the repository, is at fault: worth another try.
const NETWORK_TROUBLE = new RegExp(
  [
    'could not resolve host',
    'connection (refused|reset|timed out)',
    'timed out',
    'operation too slow',
    'failed to connect',
    'empty reply',
    'recv failure',
    'early eof',
    'transfer closed',
    'hung up unexpectedly',
    String.raw`returned error: (5\d\d|429)`,
    String.raw`HTTP (5\d\d|429)`
  ].join('|'),
  'i'
)

// curl's words (OpenSSL, then GnuTLS) for a chain that ends in no authority git trusts; not for an expired certificate.
const UNTRUSTED_CERTIFICATE = /SSL certificate problem: (self[- ]signed certificate|unable to get (local )?issuer certificate|unable to verify the first certificate)|server certificate verification failed/i

/**
 * Why a git command failed, as the error to throw: a TransientError when the
 * network is at fault (worth another attempt), else an ActionError that
 * starts with `failed` and quotes git. `limitSeconds`: the bound the command was
 * stopped at, if it was.
 */
export function gitFailure(result: ProcessResult, failed: string, limitSeconds: number): Error {
  if (result.timedOut) return new TransientError(`no answer within ${limitSeconds} s`)
  if (result.exitCode === 127 && /ENOENT/.test(result.stderr)) {
    return new ActionError(`git is not installed, and mode 'stable'/'master' needs it. Install git on the runner first.`)
  }
  const reason = shown(redact(result.stderr.trim().split('\n').filter(Boolean).slice(-2).join(' ')))
  if (NETWORK_TROUBLE.test(reason)) return new TransientError(reason)
  if (UNTRUSTED_CERTIFICATE.test(reason)) return new ActionError(`${failed}: git does not trust its server's certificate (${reason.replace(/\.$/, '')}). ${trustAdvice('git')}`)
  // git's refusal of a transport (gitEnvironment's allow-list), for the address itself or a redirect.
  const refused = /transport '\w+' not allowed|Protocol "?\w+"? not supported or disabled/.test(reason)
    ? " git may use only https, ssh and file (http with 'allow-insecure: true' or on this machine), and a redirect may not leave them."
    : ''
  return new ActionError(`${failed}: ${reason.replace(/\.$/, '')}.${refused} Check the 'repository' input.`)
}

/** Lists the branches and tags of a repository without cloning it; every attempt is killed at the network timeout. */
async function listRefs(repository: string, network: NetworkSettings, rule: TransportRule): Promise<RefMap> {
  const where = quoted(repository)
  const env = { ...process.env, ...gitEnvironment(rule, network.timeoutSeconds, { repositories: [repository] }) }
  return withRetries(
    `git ls-remote ${shown(redact(repository))}`,
    async () => {
      // '--' so that no repository value is ever read as an option.
      const result = await runProcess('git', ['ls-remote', '--heads', '--tags', '--', repository], {
        what: 'git ls-remote',
        timeoutMs: network.timeoutSeconds * 1000,
        env
      })
      if (result.exitCode === 0) return parseLsRemote(result.stdout)
      throw gitFailure(result, `Could not read the git repository ${where}`, network.timeoutSeconds)
    },
    retryPolicy(network),
    reason => `Could not reach the git repository ${where}: ${reason}. Re-run the job later.`
  )
}

/**
 * Turns the plan's candidate refs into one commit. An end-of-life series has
 * lost its stable branch and kept a `<series>-eol` tag, which we fall back to.
 */
export async function resolveGitRef(
  repository: string,
  candidates: readonly string[],
  series: string,
  network: NetworkSettings,
  rule: TransportRule
): Promise<{ ref: string; sha: string; refs: RefMap }> {
  const refs = await listRefs(repository, network, rule)
  const picked = pickRef(refs, candidates)
  if (!picked) {
    const short = (r: string) => shown(r.replace(/^refs\/(heads|tags)\//, ''))
    const related = [...refs.keys()].filter(r => r.includes(series) || /\/stable\/|-eol$/.test(r)).map(short)
    throw new ActionError(
      `${quoted(repository)} has no '${candidates.map(short).join("' or '")}'. ` +
        (related.length ? `Refs it has for stable series: ${related.join(', ')}.` : 'It has no stable branches or -eol tags at all.') +
        ` Pick a series that has one, or use 'mode: release'.`
    )
  }
  if (picked.ref !== candidates[0]) {
    const [branch, tag] = [candidates[0].replace('refs/heads/', ''), picked.ref.replace('refs/tags/', '')]
    notice(`${branch} no longer exists (the series reached end of life); installing the ${tag} tag, commit ${picked.sha.slice(0, 12)}.`)
  } else {
    info(`${picked.ref.replace('refs/heads/', '')} is at ${picked.sha}`)
  }
  return { ...picked, refs }
}

function quoted(value: string): string {
  return `'${shown(redact(value))}'`
}
