import * as fs from 'node:fs'
import * as path from 'node:path'
import { ActionError } from '../errors.js'
import { shown } from '../log/escape.js'
import { info } from '../log/log.js'
import { redact } from '../log/secrets.js'
import { gitFailure, type RefMap } from './git.js'
import { runProcess } from './process.js'
import { retryPolicy, withRetries, type NetworkSettings } from './retry.js'
import { gitEnvironment, type TransportRule } from './transport.js'

/** One commit of a repository, as `git ls-remote` found it. */
export interface GitTarget {
  repository: string
  /** The ref it was found at: `refs/heads/master`, `refs/tags/queens-eol`. */
  ref: string
  sha: string
  /** Every ref of the repository (annotated tags peeled), to tell version tags. */
  refs: RefMap
}

/**
 * Whether pbr reads a tag as a version: pbr/git.py `_iter_log_inner` reads '-'
 * as '.' and keeps the names that pbr/version.py
 * `SemanticVersion._from_pip_string_unsafe` parses, followed step by step
 * here. `17.0.13`, `18.0.0.0rc1`, `2011.2`, `1.2a1` are versions;
 * `queens-eol`, `queens-em` are not.
 */
export function isVersionTag(tag: string): boolean {
  const text = tag.replace(/-/g, '.').replace(/^[vV]+/, '')
  if (!/^\d/.test(text)) return false
  const input = text.split('.')
  const isDigits = (part: string) => /^\d+$/.test(part)
  const isInt = (part: string | number) => typeof part === 'number' || /^\+?\d+$/.test(part)
  const components: (string | number)[] = input.filter(isDigits)
  let digitLen = components.length
  if (digitLen < 3) {
    if (digitLen < input.length) {
      const mixed = input[digitLen]
      if (mixed === '') return false // pbr: IndexError, "Invalid version"
      if (/^\d/.test(mixed)) {
        const last = mixed.match(/^\d+/)![0]
        components.push(last)
        input.splice(digitLen, 1, last, mixed.slice(last.length))
        digitLen++
      }
    }
    while (components.length < 3) components.push(0)
  }
  components.push(...input.slice(digitLen))
  if (!isInt(components[2])) components.splice(2, 0, 0)
  let remainder = components.slice(3).map(String)
  // The old dev form `1.2.3.4.g1234`: pbr reads the count and ignores the rest.
  if (remainder.length > 0 && isInt(remainder[0]) && Number(remainder[0]) !== 0) return true
  if (remainder.length > 0 && /^[0abr]/.test(remainder[0])) {
    // A pre-release: pbr drops the leading digits, takes the letters, and needs a number after them.
    const afterDigits = remainder[0].replace(/^\d+/, '')
    if (!isInt(afterDigits.replace(/^[a-zA-Z]+/, ''))) return false
    remainder = remainder.slice(1)
  }
  return remainder.every(part => /^(dev|post)\+?\d+$/.test(part))
}

/** Version tags by the commit they point at. */
export function versionTags(refs: RefMap): Map<string, string[]> {
  const byCommit = new Map<string, string[]>()
  for (const [ref, sha] of refs) {
    const tag = ref.match(/^refs\/tags\/(.+)$/)?.[1]
    if (tag && isVersionTag(tag)) byCommit.set(sha, [...(byCommit.get(sha) ?? []), tag])
  }
  return byCommit
}

/**
 * Where pbr's count stops, read from a shallow history: `walk` is `git
 * rev-list HEAD` (the order of pbr's `git log`), `shallow` the commits whose
 * parents were not fetched. pbr counts the commits before the first one with
 * a version tag. The shallow walk is the full one up to there unless it meets
 * a commit with missing parents first: then undefined, and the history must
 * be completed.
 */
export function pbrDistance(walk: readonly string[], tags: Map<string, string[]>, shallow: ReadonlySet<string>): { tags: string[]; distance: number } | undefined {
  for (const [distance, sha] of walk.entries()) {
    const found = tags.get(sha)
    if (found) return { tags: found, distance }
    if (shallow.has(sha)) return undefined
  }
  return undefined
}

/** git's words for a server or transport that cannot fetch part of a history (dumb HTTP, old servers). */
const NO_SHALLOW = /does not support (shallow|--shallow|--deepen|--depth)/i

/** A bound on each git command that does not touch the network (init, rev-list, checkout). */
const LOCAL_LIMIT_MS = 5 * 60 * 1000
/**
 * A fetch is many requests and megabytes: 'timeout' bounds a stall
 * (GIT_HTTP_LOW_SPEED_TIME, ssh keep-alives), as it did for pip's clone; this
 * bounds one whole attempt.
 */
const FETCH_LIMIT_MS = 20 * 60 * 1000

/** The first depth fetched; each further fetch doubles it, up to the last one, after which the rest comes. */
const FIRST_DEPTH = 64
const LAST_DEPTH = 4096

/**
 * Fetches the one commit pip is to build into `dir` (a new directory), with
 * only the history pbr reads to version it, and checks it out. pbr counts
 * commits back to the nearest version tag (an `-eol` tag is not one: nova's
 * queens-eol is 17.0.13 and 118 commits), so the history is fetched to a
 * depth, doubled until pbr's walk meets a version tag before any commit whose
 * parents are missing; the commit alone when a version tag is on it. Tags
 * follow the commits they point at, annotated as on the server.
 *
 * Not `--shallow-exclude` of the version tags, which would fetch exactly the
 * commits since them: a merge whose first parent is the tagged commit (how
 * Gerrit merges after a release) becomes shallow, which hides its other
 * parent, and git 2.39 then records that parent as shallow without fetching
 * it, so that every later fetch dies with "error in object: unshallow".
 *
 * A server that cannot fetch shallow (dumb HTTP, an old git) sends the
 * commit's whole history.
 */
export async function fetchCheckout(target: GitTarget, dir: string, network: NetworkSettings, rule: TransportRule): Promise<void> {
  const { repository, ref, sha } = target
  const where = `'${shown(redact(repository))}'`
  const env = { ...process.env, ...gitEnvironment(rule, network.timeoutSeconds, { repositories: [repository] }) }
  const local = async (args: string[]): Promise<string> => {
    const result = await runProcess('git', args, { what: `git ${args[0]}`, timeoutMs: LOCAL_LIMIT_MS, env, cwd: dir })
    if (result.exitCode === 0) return result.stdout
    const failed = `Could not prepare the checkout of ${where} in ${shown(dir)}`
    const error = gitFailure(result, failed, LOCAL_LIMIT_MS / 1000)
    throw error instanceof ActionError ? error : new ActionError(`${failed}: ${error.message}.`)
  }
  // The ref under its own name (a branch as a remote one: nothing is checked out yet), so that tags follow.
  const refspec = `+${ref}:${ref.replace(/^refs\/heads\//, 'refs/remotes/origin/')}`
  const fetch = (options: string[]) =>
    withRetries(
      `git fetch ${shown(redact(repository))}`,
      async () => {
        // '--' so that no repository value is ever read as an option.
        const result = await runProcess('git', ['fetch', '--quiet', ...options, '--', repository, refspec], { what: 'git fetch', timeoutMs: FETCH_LIMIT_MS, env, cwd: dir })
        if (result.exitCode === 0) return { shallowRefused: false }
        if (NO_SHALLOW.test(result.stderr)) return { shallowRefused: true }
        throw gitFailure(result, `Could not fetch ${shown(ref)} (${sha.slice(0, 12)}) from ${where}`, FETCH_LIMIT_MS / 1000)
      },
      retryPolicy(network),
      reason => `Could not reach the git repository ${where}: ${reason}. Re-run the job later.`
    )

  fs.mkdirSync(dir, { recursive: true })
  await local(['init', '--quiet'])
  const tags = versionTags(target.refs)
  const short = sha.slice(0, 12)
  if (tags.size === 0) {
    info(`${where} has no version tag, so pbr counts every commit: fetching the whole history of ${short}.`)
    await fetch([])
  } else {
    let depth = tags.has(sha) ? 1 : FIRST_DEPTH
    if ((await fetch([`--depth=${depth}`])).shallowRefused) {
      info(`${where} cannot send part of a history (a dumb HTTP or old git server): fetching the whole history of ${short}.`)
      await fetch([])
    } else {
      for (;;) {
        const walk = (await local(['rev-list', sha, '--'])).split('\n').filter(Boolean)
        const shallow = readShallow(dir, await local(['rev-parse', '--git-path', 'shallow']))
        const stop = pbrDistance(walk, tags, shallow)
        if (stop) {
          info(`Fetched ${walk.length} commit${walk.length === 1 ? '' : 's'} of ${where}: ${short} is ${stop.distance === 0 ? 'tagged' : `${stop.distance} commits after`} ${stop.tags.join(', ')}.`)
        } else if (shallow.size > 0 && depth >= LAST_DEPTH) {
          info(`pbr's count from ${short} reaches past ${depth} commits of ${where}: fetching the rest of its history.`)
          await fetch(['--unshallow'])
        } else if (shallow.size > 0) {
          await fetch([`--deepen=${depth}`])
          depth *= 2
          continue
        }
        break
      }
    }
  }
  await local(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', sha, '--'])
}

/** The commits whose parents were not fetched: `.git/shallow`, at the path git names relative to `dir`. */
function readShallow(dir: string, gitPath: string): Set<string> {
  const file = path.resolve(dir, gitPath.trim())
  return new Set(fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [])
}
