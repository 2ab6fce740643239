import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'

/** What never changes an install: version control, caches, build output. */
const SKIPPED = new Set(['.git', '.hg', '.tox', '.nox', '.venv', 'venv', 'node_modules', '__pycache__', 'build', 'dist', '.eggs', '.mypy_cache', '.pytest_cache'])
/** Bounds on the work: a checkout larger than this is hashed by names, sizes and times beyond the bound. */
const MAX_FILES = 20_000
const MAX_CONTENT_BYTES = 64 * 1024 * 1024

/**
 * A digest of a local project's files, for cache keys: a venv built from
 * one state of a checkout must not be restored for another.
 */
export function treeHash(root: string): string {
  const hash = createHash('sha256')
  let files = 0
  let content = 0
  const walk = (dir: string): void => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))
    } catch {
      return
    }
    for (const entry of entries) {
      if (files >= MAX_FILES) return
      if (SKIPPED.has(entry.name) || entry.name.endsWith('.egg-info')) continue
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.isFile()) {
        files++
        const stat = fs.statSync(full)
        hash.update(`${path.relative(root, full)}\0${stat.size}\0`)
        if (content + stat.size <= MAX_CONTENT_BYTES) {
          content += stat.size
          hash.update(fs.readFileSync(full))
        } else {
          hash.update(String(stat.mtimeMs))
        }
      }
    }
  }
  walk(root)
  return hash.digest('hex')
}
