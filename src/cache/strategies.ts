import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { Interpreter } from '../python/interpreter.js'
import { venvState } from '../python/venv.js'
import { shown } from '../log/escape.js'
import { info } from '../log/log.js'
import { saveKey, type CacheKeys } from './keys.js'
import { restoreDir, saveDir, type CacheRestore, type CacheSave } from './service.js'

/**
 * One way of caching, chosen once per run (as setup-python's cache
 * distributors are): where its directory is, how it is restored and saved.
 */
export interface CacheStrategy {
  readonly kind: 'pip' | 'venv'
  readonly keys: CacheKeys
  restore(): Promise<CacheRestore>
  save(): Promise<CacheSave>
}

/** pip's download and wheel cache: pip still resolves, but downloads and builds nothing twice. */
export class PipCache implements CacheStrategy {
  readonly kind = 'pip'
  private dir?: Promise<string>
  constructor(
    private readonly python: Interpreter,
    readonly keys: CacheKeys,
    private readonly timeoutSeconds: number
  ) {}

  async restore(): Promise<CacheRestore> {
    return restoreDir(await this.cacheDir(), this.keys, this.timeoutSeconds)
  }

  async save(): Promise<CacheSave> {
    return saveDir(await this.cacheDir(), saveKey(this.keys), this.timeoutSeconds)
  }

  /** Asked once, of the base interpreter: a venv made from it shares the user's pip cache. */
  private cacheDir(): Promise<string> {
    this.dir ??= pipCacheDir(this.python, this.timeoutSeconds)
    return this.dir
  }
}

/** The whole installed venv: a verified hit needs no pip at all. */
export class VenvCache implements CacheStrategy {
  readonly kind = 'venv'
  constructor(
    readonly keys: CacheKeys,
    private readonly dir: string,
    private readonly timeoutSeconds: number
  ) {}

  /**
   * Restores only where the action may write: an absent or empty directory,
   * or a venv of its own (replaced whole, never mixed with the entry).
   */
  async restore(): Promise<CacheRestore> {
    const state = venvState(this.dir)
    if (state === 'foreign') return { exactHit: false, ms: 0, bytes: 0 }
    if (state === 'ours') fs.rmSync(this.dir, { recursive: true, force: true })
    return restoreDir(this.dir, this.keys, this.timeoutSeconds)
  }

  save(): Promise<CacheSave> {
    return saveDir(this.dir, saveKey(this.keys), this.timeoutSeconds)
  }
}

/**
 * Where pip keeps its cache. `pip cache dir` exists from pip 20.1 on; older
 * pip (Python 2.7's 19.2, 3.6's 18.1) uses PIP_CACHE_DIR or the XDG default.
 */
async function pipCacheDir(python: Interpreter, timeoutSeconds: number): Promise<string> {
  const result = await python.pip(['cache', 'dir'], { what: 'pip cache dir', timeoutMs: timeoutSeconds * 1000 })
  const dir = result.stdout.trim().split('\n').pop()
  if (result.exitCode === 0 && dir) return dir
  const fallback = process.env.PIP_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'pip')
  info(`pip ${shown(python.facts.pipVersion ?? '')} has no 'pip cache dir'; caching ${shown(fallback)}.`)
  return fallback
}
