import * as os from 'node:os'
import * as path from 'node:path'
import { runModule, type Interpreter } from '../python/interpreter.js'
import { venvState } from '../python/venv.js'
import { shown } from '../log/escape.js'
import { info } from '../log/log.js'
import { saveKey, type CacheKeys } from './keys.js'
import { restorePipCache } from './pipRestore.js'
import { cacheServiceAvailable, saveDir, type CacheRestore, type CacheSave } from './service.js'
import { saveVenv } from './venvEntry.js'
import { restoreVenv } from './venvRestore.js'

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
  constructor(
    /** Asked once, of the base interpreter: a venv made from it shares the user's pip cache. */
    private readonly dir: Promise<string>,
    readonly keys: CacheKeys,
    private readonly timeoutSeconds: number
  ) {}

  async restore(): Promise<CacheRestore> {
    return restorePipCache(await this.dir, this.keys, this.timeoutSeconds)
  }

  async save(): Promise<CacheSave> {
    return saveDir(await this.dir, saveKey(this.keys), this.timeoutSeconds)
  }
}

/** The whole installed venv: a verified hit needs no pip at all. */
export class VenvCache implements CacheStrategy {
  readonly kind = 'venv'
  constructor(
    readonly keys: CacheKeys,
    private readonly dir: string,
    /** The interpreter the key names, which the restored venv's links must point at. */
    private readonly base: Interpreter,
    private readonly timeoutSeconds: number
  ) {}

  /**
   * Restores only where the action may write: an absent or empty directory,
   * or a venv of its own (replaced whole, never mixed with the entry), and
   * only an entry whose tree proves good (see restoreVenv).
   */
  async restore(): Promise<CacheRestore> {
    if (venvState(this.dir) === 'foreign') return { exactHit: false, ms: 0, bytes: 0 }
    return restoreVenv(this.dir, this.keys, this.base, this.timeoutSeconds)
  }

  /** The venv without its byte code, which stays in the venv (see saveVenv). */
  save(): Promise<CacheSave> {
    return saveVenv(this.dir, saveKey(this.keys), this.timeoutSeconds)
  }
}

/** What a cache needs before the job is known; see `prepareCache`. */
export interface CacheGround {
  /** The runner offers a cache service. */
  available: boolean
  /** Where pip keeps its cache (pip kind only). */
  pipDir?: Promise<string>
}

/**
 * Starts what a cache needs while the interpreter probe and the network are
 * answering: whether there is a cache service (off github.com, the toolkit's
 * library answers, most of the bundle's code) and pip's cache directory (a
 * pip start: about half a second, as long as the rest of a warm run's
 * start). Only the interpreter's path is known yet.
 */
export async function prepareCache(kind: 'pip' | 'venv', executable: string, timeoutSeconds: number): Promise<CacheGround> {
  const pipDir = kind === 'pip' ? pipCacheDir(executable, timeoutSeconds) : undefined
  return { available: await cacheServiceAvailable(), pipDir }
}

/**
 * Where pip keeps its cache. `pip cache dir` exists from pip 20.1 on; older
 * pip (Python 2.7's 19.2, 3.6's 18.1) uses PIP_CACHE_DIR or the XDG default.
 */
async function pipCacheDir(executable: string, timeoutSeconds: number): Promise<string> {
  // pip's own variable wins over its configuration files: when it is absolute, no pip start is needed.
  const given = process.env.PIP_CACHE_DIR?.replace(/^~(?=$|\/)/, os.homedir())
  if (given && path.isAbsolute(given)) return given
  const result = await runModule(executable, 'pip', ['cache', 'dir'], { what: 'pip cache dir', timeoutMs: timeoutSeconds * 1000 }).catch(() => undefined)
  const dir = result?.stdout.trim().split('\n').pop()
  if (result?.exitCode === 0 && dir) return dir
  const fallback = process.env.PIP_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'pip')
  info(`'pip cache dir' named no directory (pip before 20.1 has no such command); caching ${shown(fallback)}.`)
  return fallback
}
