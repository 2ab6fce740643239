/** pip's output and log as lines, searched together; see output.ts and log.ts for what each holds. */
export class PipText {
  readonly all: string[]

  constructor(
    /** Console lines, trimmed, box frames removed. */
    readonly console: string[],
    /** Console lines that are pip's own, not a subprocess's output pip quotes in a block. */
    readonly outside: string[],
    /** The output of the failed subprocesses pip quoted in blocks. */
    readonly blocks: string[],
    /** Log lines, trimmed, timestamps removed; empty without the log. */
    readonly log: string[]
  ) {
    this.all = [...console, ...log]
  }

  first(re: RegExp): RegExpExecArray | undefined {
    for (const line of this.all) {
      const m = re.exec(line)
      if (m) return m
    }
    return undefined
  }

  last(re: RegExp, where: string[] = this.all): RegExpExecArray | undefined {
    for (let i = where.length - 1; i >= 0; i--) {
      const m = re.exec(where[i])
      if (m) return m
    }
    return undefined
  }

  every(re: RegExp): RegExpExecArray[] {
    return this.all.map(line => re.exec(line)).filter((m): m is RegExpExecArray => m !== null)
  }

  has(re: RegExp): boolean {
    return this.all.some(line => re.test(line))
  }
}

// eslint-disable-next-line no-control-regex -- pip colours its output when it thinks it has a terminal
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g
/** The frame of pip ≥ 22's error boxes. */
const BOX = /^(?:[×│╰─>]+\s*)+/u

/** Lines without colours, frames and (with `stamp`) the log's timestamps, trimmed. */
export function lines(text: string, stamp?: RegExp): string[] {
  return text
    .replace(ANSI, '')
    .split(/\r?\n|\r/)
    .map(line => (stamp ? line.replace(stamp, '') : line).trim().replace(BOX, '').trim())
}

/** One pattern matching at a line's start for any of these; kept apart so that each pip's wording is one entry. */
export function anyOf(...patterns: RegExp[]): RegExp {
  return new RegExp(`^(?:${patterns.map(p => p.source).join('|')})`)
}

/** PEP 503 normalized project name. */
export function normalized(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-')
}

/** The project name a requirement string starts with (PEP 508). */
export function nameOf(requirement: string): string | undefined {
  return /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(requirement)?.[1]
}

export function pipMajor(version: string): number {
  return Number.parseInt(version, 10)
}

/** The normalized project of a distribution file's URL (`…/nova_dpm-3.0.0-py3-none-any.whl` → `nova-dpm`). */
export function fileProject(url: string): string | undefined {
  const file = url.split('#')[0].split('/').pop() ?? ''
  const name = /^(.+?)-\d/.exec(decodeURIComponentSafe(file))?.[1]
  return name ? normalized(name) : undefined
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
