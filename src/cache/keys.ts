import { createHash } from 'node:crypto'

export interface KeyParts {
  kind: 'pip' | 'venv'
  os: string
  arch: string
  pythonVersion: string
  /** ABI tag: wheels built for one do not fit another. */
  pythonAbi: string
  /** Only for venv: a venv links to its base interpreter, so a moved base breaks it. */
  baseExecutable?: string
  packages: readonly string[]
  series: string
  mode: string
  /** What pip was asked for: specifiers, pinned git URLs, extra requirements. */
  requirements: readonly string[]
  /** sha256 of the constraints actually given to pip, or 'none'. */
  constraintsHash: string
  indexUrl?: string
  /** Digest of the content of local projects installed alongside. */
  projectsHash: string
  suffix: string
}

export interface CacheKeys {
  /**
   * Every entry for exactly these parts starts with it. Entries are saved
   * under `identity + generation`, and restored as the newest entry with this
   * prefix: a run that finds a bad entry saves a good one under a new key
   * (the service never overwrites a key), and the next run takes the newer.
   */
  identity: string
  /** Broader prefixes to fall back on (pip's cache only), most specific first. */
  fallbacks: string[]
}

const VERSION = 'v3'

export function cacheKeys(parts: KeyParts): CacheKeys {
  const suffix = parts.suffix ? `${safe(parts.suffix)}-` : ''
  const platform = `setup-nova-dpm-${VERSION}-${parts.kind}-${parts.os}-${parts.arch}-py${parts.pythonVersion}-${safe(parts.pythonAbi)}-${suffix}`
  const target = `${platform}${parts.packages.join('+')}-${safe(parts.series)}-${parts.mode}-`
  // Hashed rather than spelt out: the index URL may carry credentials, and the
  // key must stay under the service's 512 characters.
  const digest = createHash('sha256')
    .update(JSON.stringify([parts.requirements, parts.constraintsHash, parts.indexUrl ?? '', parts.baseExecutable ?? '', parts.projectsHash]))
    .digest('hex')
    .slice(0, 32)
  // A venv from other inputs would carry stale packages into the install;
  // pip's download cache only ever speeds pip up.
  return { identity: `${target}${digest}-`, fallbacks: parts.kind === 'venv' ? [] : [target, platform] }
}

/** A key of its own for each save: the run, its attempt, and the time. */
export function saveKey(keys: CacheKeys, env: NodeJS.ProcessEnv = process.env, now = Date.now()): string {
  return `${keys.identity}${env.GITHUB_RUN_ID ?? 'local'}-${env.GITHUB_RUN_ATTEMPT ?? '1'}-${now.toString(36)}`
}

/** Cache keys may not contain commas; keep them to a readable alphabet. */
function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_')
}
