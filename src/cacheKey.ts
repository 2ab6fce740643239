import { createHash } from 'node:crypto'

export interface CacheKeyInput {
  kind: 'pip' | 'venv'
  os: string
  arch: string
  pythonVersion: string
  pythonAbi: string
  /** Only for venv: a venv links to its base interpreter, so a moved base breaks it. */
  baseExecutable?: string
  package: string
  series: string
  mode: string
  /** The version specifier (release mode) or the commit sha (git modes). */
  resolved: string
  /** sha256 of the constraints actually given to pip, or 'none'. */
  constraintsHash: string
  indexUrl?: string
  suffix: string
}

export interface CacheKeys {
  key: string
  /** Prefixes to fall back on, most specific first; never across OS, arch or Python. */
  restoreKeys: string[]
}

const VERSION = 'v1'

export function cacheKeys(input: CacheKeyInput): CacheKeys {
  const suffix = input.suffix ? `${safe(input.suffix)}-` : ''
  const platform = `setup-nova-dpm-${VERSION}-${input.kind}-${input.os}-${input.arch}-py${input.pythonVersion}-${safe(input.pythonAbi)}-${suffix}`
  const target = `${platform}${input.package}-${safe(input.series)}-${input.mode}-`
  // Hashed rather than spelt out: the index URL may carry credentials and a
  // sha256 of the constraints is long; the key must stay under 512 characters.
  const digest = createHash('sha256')
    .update(JSON.stringify([input.resolved, input.constraintsHash, input.indexUrl ?? '', input.baseExecutable ?? '']))
    .digest('hex')
    .slice(0, 32)
  const key = `${target}${digest}`
  // A restored venv that does not match exactly would carry stale packages
  // into the install; pip's download cache only ever speeds pip up.
  const restoreKeys = input.kind === 'venv' ? [] : [target, `${platform}${input.package}-`, platform]
  return { key, restoreKeys }
}

/** Cache keys may not contain commas; keep them to a readable alphabet. */
function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_')
}
