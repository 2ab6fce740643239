import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ActionError } from '../errors.js'
import { quotedLine } from '../log/excerpt.js'
import { hasControlCharacters, shown } from '../log/escape.js'

export type Requirement =
  /** 'pytest', 'zhmcclient>=0.18; python_version>="3"' */
  | { kind: 'specifier'; text: string; name: string }
  /** A local project (directory) or distribution file, by absolute path; `extras` as written ('[test]'). */
  | { kind: 'path'; path: string; editable: boolean; extras?: string }
  /** git+https://…#egg=name, https://…/x.whl, or `name @ url`. */
  | { kind: 'url'; url: string; name?: string; editable: boolean }

export interface ParseOptions {
  /** Where relative paths in the input point: the workspace. */
  baseDir: string
  /** Install every local project editable. */
  editable: boolean
  /** Reads a file named by '-r' (bounded, regular files only). */
  readFile: (path: string) => string
}

/** '-r' files nest no deeper than this, and no more of them are read in all. */
const MAX_DEPTH = 8
const MAX_FILES = 64

/** PEP 508: a project name starts and ends with a letter or digit. */
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/
/** What may follow the name in a specifier (PEP 508, loosely): extras, versions, markers. pip checks the details. */
const AFTER_NAME = /^\s*(?:\[[^\]]*\])?\s*(?:\(?\s*(?:(?:===|==|!=|<=|>=|~=|<|>)\s*[A-Za-z0-9.*+!_-]+\s*,?\s*)+\)?)?\s*(?:;.*)?$/
/** A direct reference: `name[extras] @ url`. */
const DIRECT = /^\s*(?:\[[^\]]*\]\s*)?@\s*(\S.*)$/
const URL_SCHEME = /^(?:git\+|hg\+|svn\+|bzr\+)?[A-Za-z][A-Za-z0-9+.-]*:\/\//
const VCS = /^(?:git|hg|svn|bzr)\+/
const ARCHIVE = /\.(?:whl|zip|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar)$/i

/** The options the action decides itself, and which input to use instead. */
const REFUSED: [RegExp, string][] = [
  [/^(?:-i|--index-url|--extra-index-url|--no-index|-f|--find-links|--trusted-host)$/, "the action sets the package index itself: use the input 'index-url'"],
  [/^(?:-c|--constraint)$/, "the action hands pip the release's constraints itself: use the input 'constraints'"],
  [/^(?:--hash|--global-option|--install-option|--config-settings)$/, 'per-requirement pip options are not passed on'],
  [
    /^(?:--pre|--no-binary|--only-binary|--prefer-binary|--require-hashes|--use-feature|--no-deps|--upgrade|-U|--user|--target|-t|--prefix|--root|--src)$/,
    "pip options are not taken from 'requirements': only requirements, local paths, URLs, '-r <file>' and '-e <path or VCS URL>'"
  ]
]

/**
 * The `requirements` input, and every '-r' file it names, read the way pip
 * reads a requirements file (comments, blank lines, `\` continuations), into
 * requirements the action can plan with: specifiers, local projects by
 * absolute path, URLs. The action sets the index, the constraints and pip's
 * transport itself, so the options that would change them are refused with
 * the file (or input) and line that holds them. Relative project paths start
 * at `baseDir` (where pip runs), a '-r' path at the file that names it, as
 * pip has them.
 */
export function parseRequirements(text: string, options: ParseOptions): Requirement[] {
  const state = { files: 0 }
  return parseSource(text, { label: "input 'requirements'", dir: options.baseDir, chain: [] }, options, state)
}

interface Source {
  /** How errors name it: "input 'requirements'" or "requirements file '/w/ci/req.txt'". */
  label: string
  /** Where a '-r' path in it starts. */
  dir: string
  /** The files that led here, outermost first. */
  chain: string[]
}

function parseSource(text: string, source: Source, options: ParseOptions, state: { files: number }): Requirement[] {
  const requirements: Requirement[] = []
  for (const { line, content } of logicalLines(text)) {
    const at = `${source.label}, line ${line}`
    const fail = (why: string) => new ActionError(`${at}: ${quotedLine(content)} ${why}`)
    if (hasControlCharacters(content.replace(/\t/g, ' '))) throw fail('holds a control character. Write one requirement per line, in plain text.')
    const entry = stripComment(content)
    if (entry === '') continue
    // pip would expand ${VAR} where the action resolved paths and names without it.
    if (/\$\{[A-Za-z0-9_]+\}/.test(entry)) {
      throw fail(
        'uses an environment variable (${…}), which the action does not expand. Write the value itself ' +
          "(in the workflow file, an expression such as ${{ env.NAME }} can put it into 'requirements')."
      )
    }
    if (entry.startsWith('-')) {
      const { option, value } = splitOption(entry)
      if (option === '-r' || option === '--requirement') {
        if (!value) throw fail('names no file.')
        if (URL_SCHEME.test(value)) throw fail('names a URL. Only local requirements files are read: check the file into the repository and name its path.')
        requirements.push(...include(value, source, options, state, at))
      } else if (option === '-e' || option === '--editable') {
        if (!value) throw fail('names no project.')
        requirements.push(editableOf(value, options.baseDir, fail))
      } else {
        const refusal = REFUSED.find(([re]) => re.test(option))
        throw fail(`is not accepted: ${refusal ? refusal[1] : "only requirements, local paths, URLs, '-r <file>' and '-e <path or VCS URL>' are"}.`)
      }
      continue
    }
    requirements.push(requirementOf(entry, options, fail))
  }
  return requirements
}

/** pip's logical lines: `\` at the end joins the next line, unless the line is a comment. Numbers are where each starts. */
function logicalLines(text: string): { line: number; content: string }[] {
  const result: { line: number; content: string }[] = []
  let pending: { line: number; parts: string[] } | undefined
  text.split(/\r?\n/).forEach((physical, i) => {
    const isComment = /^\s*#/.test(physical)
    if (physical.endsWith('\\') && !isComment) {
      pending ??= { line: i + 1, parts: [] }
      pending.parts.push(physical.slice(0, -1))
      return
    }
    if (pending) {
      // A comment line ends a continuation without adding to it.
      result.push({ line: pending.line, content: pending.parts.join('') + (isComment ? '' : physical) })
      pending = undefined
      if (!isComment) return
    }
    result.push({ line: i + 1, content: physical })
  })
  if (pending) result.push({ line: pending.line, content: pending.parts.join('') })
  return result
}

/** A comment starts at '#' at the line's start or after whitespace; a URL's '#egg=' fragment is not one. */
function stripComment(line: string): string {
  return line.replace(/(^|\s)#.*$/, '').trim()
}

function splitOption(entry: string): { option: string; value: string } {
  const long = /^(--[A-Za-z][\w-]*)(?:\s*=\s*|\s+|$)(.*)$/.exec(entry)
  if (long) return { option: long[1], value: unquote(long[2].trim()) }
  // Short options take their value attached or after whitespace: '-r file', '-rfile', '-e.'.
  const short = /^(-[A-Za-z])\s*(.*)$/.exec(entry)
  if (short) return { option: short[1], value: unquote(short[2].trim()) }
  return { option: entry.split(/\s/)[0], value: '' }
}

/** pip reads an option's value as a shell word: surrounding quotes go. */
function unquote(value: string): string {
  const m = /^(['"])(.*)\1$/.exec(value)
  return m ? m[2] : value
}

function include(value: string, from: Source, options: ParseOptions, state: { files: number }, at: string): Requirement[] {
  const file = path.resolve(from.dir, value)
  const chain = [...from.chain, file]
  if (from.chain.includes(file)) {
    const loop = chain.map(f => `'${shown(f)}'`).join(' → ')
    throw new ActionError(`${at}: requirements file '${shown(file)}' includes itself (${loop}). Remove the '-r' line that closes the loop.`)
  }
  if (chain.length > MAX_DEPTH) {
    throw new ActionError(`${at}: '-r' files nest deeper than ${MAX_DEPTH} levels (${chain.map(f => `'${shown(f)}'`).join(' → ')}). Flatten them.`)
  }
  if (++state.files > MAX_FILES) throw new ActionError(`${at}: more than ${MAX_FILES} '-r' files are named in all. Merge them into fewer files.`)
  let text: string
  try {
    text = options.readFile(file)
  } catch (error) {
    if (error instanceof ActionError) throw new ActionError(`${at}: ${error.message}`)
    throw error
  }
  return parseSource(text, { label: `requirements file '${shown(file)}'`, dir: path.dirname(file), chain }, options, state)
}

type Fail = (why: string) => ActionError

function requirementOf(entry: string, options: ParseOptions, fail: Fail): Requirement {
  if (/\s-{1,2}[A-Za-z]/.test(` ${entry.split(/\s+/).slice(1).join(' ')}`)) {
    throw fail('carries pip options after the requirement; they are not passed on. Write the requirement alone.')
  }
  const name = NAME.exec(entry)?.[0]
  const direct = name === undefined ? null : DIRECT.exec(entry.slice(name.length))
  if (name && direct) {
    if (/^file:/i.test(direct[1])) return pathOf(filePath(direct[1], fail), options.baseDir, options.editable, fail)
    return urlOf(direct[1], name, false, fail)
  }
  if (/^file:/i.test(entry)) return pathOf(filePath(entry, fail), options.baseDir, options.editable, fail)
  if (URL_SCHEME.test(entry)) return urlOf(entry, undefined, false, fail)
  if (VCS.test(entry)) throw fail('is not a URL pip can fetch: write it as git+https://… or git+ssh://….')
  if (looksLikePath(entry)) return pathOf(entry, options.baseDir, options.editable, fail)
  if (name === undefined || !AFTER_NAME.test(entry.slice(name.length))) {
    throw fail(
      "is not a requirement: write a project name with an optional version (nova-dpm>=3), a local path ('.', './lib'), a URL, '-r <file>' or '-e <path>'."
    )
  }
  return { kind: 'specifier', text: entry, name }
}

function editableOf(value: string, baseDir: string, fail: Fail): Requirement {
  if (!/^file:/i.test(value) && !URL_SCHEME.test(value) && !looksLikePath(value)) {
    throw fail("is not editable: -e takes a local project directory (write './name' for one in the workspace) or a version-control URL (git+https://…).")
  }
  if (/^file:/i.test(value) || !URL_SCHEME.test(value)) {
    const local = pathOf(/^file:/i.test(value) ? filePath(value, fail) : value, baseDir, true, fail)
    if (local.kind === 'path' && ARCHIVE.test(local.path)) throw fail('names a distribution file; only a project directory can be installed editable.')
    return local
  }
  if (!VCS.test(value)) throw fail('is not editable: -e takes a local project directory or a version-control URL (git+https://…).')
  return urlOf(value, undefined, true, fail)
}

/** pip's test: a path has a separator or starts with a dot; a bare archive name is a file too. */
function looksLikePath(entry: string): boolean {
  return entry.startsWith('.') || entry.includes('/') || ARCHIVE.test(entry.replace(/\[[^\]]*\]$/, ''))
}

function pathOf(value: string, baseDir: string, editable: boolean, fail: Fail): Requirement {
  if (/;/.test(value)) throw fail('has environment markers; they are supported on requirement specifiers only, not on local paths.')
  const m = /^(.*?)(\[[^\]]*\])?$/.exec(value)!
  const target = path.resolve(baseDir, m[1])
  if (/\s#/.test(target)) throw fail("is a path pip cannot read from a requirements file (whitespace before '#'). Rename the directory.")
  return { kind: 'path', path: target, editable: editable && !ARCHIVE.test(target), ...(m[2] ? { extras: m[2] } : {}) }
}

function urlOf(value: string, name: string | undefined, editable: boolean, fail: Fail): Requirement {
  // pip separates a URL's markers with '; ' (whitespace before or after the ';').
  if (/\s;|;\s/.test(value)) throw fail('has environment markers; they are supported on requirement specifiers only, not on URLs.')
  const url = value.trim()
  if (!URL.canParse(url.replace(VCS, ''))) throw fail('is not a valid URL.')
  const derived = name ?? /[#&]egg=([^&\s]+)/.exec(url)?.[1] ?? wheelName(url)
  if (derived !== undefined && NAME.exec(derived)?.[0] !== derived) throw fail(`names the project ${quotedLine(derived)}, which is not a valid project name.`)
  return { kind: 'url', url, ...(derived ? { name: derived } : {}), editable }
}

function filePath(url: string, fail: Fail): string {
  try {
    return fileURLToPath(url)
  } catch {
    throw fail('is not a valid file: URL. Name the local path instead.')
  }
}

/** The project a wheel URL installs: the file name's first field (PEP 427). */
function wheelName(url: string): string | undefined {
  const file = url.split(/[?#]/)[0].split('/').pop() ?? ''
  return /\.whl$/i.test(file) ? decodeURIComponent(file).split('-')[0] : undefined
}

/**
 * The lines of the one requirements file handed to pip, duplicates dropped.
 * A path pip would misread on such a line (whitespace, a leading '-') goes as a
 * file: URL, or quoted after '-e' (pip reads an option's value as a shell word).
 */
export function requirementLines(reqs: Requirement[]): string[] {
  return [...new Set(reqs.map(lineOf))]
}

function lineOf(req: Requirement): string {
  switch (req.kind) {
    case 'specifier':
      return req.text
    case 'path': {
      const plain = /^[^\s'"\\$]+$/.test(req.path)
      if (req.editable) return `-e ${plain ? req.path : `"${req.path.replace(/(["\\$`])/g, '\\$1')}"`}${req.extras ?? ''}`
      return `${plain ? req.path : pathToFileURL(req.path).href}${req.extras ?? ''}`
    }
    case 'url': {
      if (req.editable) return `-e ${req.url}`
      const nameInUrl = /[#&]egg=/.test(req.url) || wheelName(req.url) !== undefined
      return req.name && !nameInUrl ? `${req.name} @ ${req.url}` : req.url
    }
  }
}
