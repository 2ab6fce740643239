import { type PipFailure, quote } from './failure.js'
import { NO_SPACE } from './output.js'
import type { PipText } from './text.js'

/** A disk pip (or a build it ran) wrote to is full: whatever failed after that follows from it. */
export function noSpace(text: PipText): PipFailure | undefined {
  const m = text.first(NO_SPACE)
  if (!m) return undefined
  const where = m[1] ? ` writing ${quote(m[1])}` : ''
  return {
    kind: 'no-space',
    message:
      `pip ran out of disk space: no space left on device${where} (pip: ${quote(m[0])}). pip writes to the environment it installs into, ` +
      "to its temporary directory (TMPDIR) and to its cache (PIP_CACHE_DIR): free space there, or point TMPDIR or 'venv-path' at a disk with room."
  }
}
