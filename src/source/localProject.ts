import * as fs from 'node:fs'
import * as path from 'node:path'
import { parse as parseToml, TomlError } from 'smol-toml'
import { ActionError } from '../errors.js'
import { readTextFile } from '../io/files.js'
import { shown } from '../log/escape.js'
import { quotedLine } from '../log/excerpt.js'

/** PEP 508's project name. */
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/

/**
 * The name a local project installs under, from its metadata, never from its
 * folder (a checkout of nova-dpm may sit in 'src' or 'nova-dpm-stable'):
 * pyproject.toml's [project] name (or Poetry's [tool.poetry] name), else
 * setup.cfg's [metadata] name (pbr and setuptools keep it there), else what
 * `buildMetadataName` gets from setup.py. A wheel or source archive is named
 * by its file name.
 */
export async function localProjectName(dir: string, buildMetadataName: (dir: string) => Promise<string>): Promise<string> {
  const named = `local project '${shown(dir)}'`
  let stat: fs.Stats
  try {
    stat = fs.statSync(dir)
  } catch {
    throw new ActionError(`The ${named} does not exist. Check the path in 'requirements' (a relative path starts at the workspace).`)
  }
  if (stat.isFile()) return archiveName(dir, named)
  if (!stat.isDirectory()) throw new ActionError(`The ${named} is neither a directory nor a distribution file. Name the project's directory.`)

  const pyproject = path.join(dir, 'pyproject.toml')
  const setupCfg = path.join(dir, 'setup.cfg')
  const setupPy = path.join(dir, 'setup.py')
  if (fs.existsSync(pyproject)) {
    const name = pyprojectName(pyproject)
    if (name !== undefined) return valid(name, `the [project] name in '${shown(pyproject)}'`)
  }
  if (fs.existsSync(setupCfg)) {
    const name = iniValue(readTextFile(setupCfg, 'setup.cfg'), 'metadata', 'name')
    if (name) return valid(name, `the [metadata] name in '${shown(setupCfg)}'`)
  }
  if (fs.existsSync(setupPy)) return valid((await buildMetadataName(dir)).trim(), `the name '${shown(setupPy)}' gives`)
  if (fs.existsSync(pyproject)) {
    throw new ActionError(
      `The ${named} has a pyproject.toml without a [project] name, no setup.cfg [metadata] name and no setup.py, so its name is unknown. ` +
        'Add name = "…" under [project].'
    )
  }
  throw new ActionError(`The ${named} is not a Python project: it has no pyproject.toml, setup.cfg or setup.py. Check the path in 'requirements'.`)
}

/** [project] name, or Poetry's; undefined when the file names none (setuptools with setup.py keeps [build-system] only). */
function pyprojectName(file: string): string | undefined {
  let doc: Record<string, unknown>
  try {
    doc = parseToml(readTextFile(file, 'pyproject.toml'))
  } catch (error) {
    if (!(error instanceof TomlError)) throw error
    const where = error.line ? ` (line ${error.line}, column ${error.column})` : ''
    throw new ActionError(`'${shown(file)}' is not valid TOML${where}: ${shown(error.message.split('\n')[0])}. Fix the file.`)
  }
  const project = table(doc.project)
  if (project) {
    // PEP 621: the name is required and may not be dynamic.
    if (typeof project.name !== 'string') {
      throw new ActionError(
        `'${shown(file)}' has a [project] table without a name (PEP 621 requires it; it cannot be dynamic). Add name = "…" under [project].`
      )
    }
    return project.name
  }
  const poetry = table(table(doc.tool)?.poetry)
  return typeof poetry?.name === 'string' ? poetry.name : undefined
}

function table(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
}

/**
 * One value of an INI file as Python's configparser reads setup.cfg: '=' or
 * ':' between key and value, keys in any case, whole-line '#' and ';'
 * comments, indented lines continuing a value.
 */
function iniValue(text: string, section: string, key: string): string | undefined {
  let current: string | undefined
  let value: string[] | undefined
  for (const raw of text.split(/\r?\n/)) {
    if (value && /^\s+\S/.test(raw) && !/^\s*[#;]/.test(raw)) {
      value.push(raw.trim())
      continue
    }
    if (value) break
    const line = raw.trim()
    if (line === '' || /^[#;]/.test(line)) continue
    const header = /^\[([^\]]+)\]$/.exec(line)
    if (header) {
      current = header[1].trim()
      continue
    }
    const entry = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line)
    if (current === section && entry && entry[1].toLowerCase() === key) value = [entry[2]]
  }
  return value?.filter(Boolean).join('\n') || undefined
}

function valid(name: string, source: string): string {
  if (!NAME.test(name)) throw new ActionError(`${source[0].toUpperCase()}${source.slice(1)} is ${quotedLine(name)}, which is not a valid project name (PEP 508).`)
  return name
}

/** A wheel's name is its file name's first field (PEP 427); an sdist's all before the version (`nova-dpm-3.0.0.tar.gz`). */
function archiveName(file: string, named: string): string {
  const base = path.basename(file)
  const wheel = /^([^-]+)-[^-]+(?:-[^-]+)?-[^-]+-[^-]+-[^-]+\.whl$/.exec(base)
  const sdist = /^(.+)-[^-]+\.(?:tar\.gz|tgz|tar\.bz2|tar\.xz|zip)$/.exec(base)
  const name = wheel?.[1] ?? sdist?.[1]
  if (!name) {
    throw new ActionError(`The ${named} is a file but not a wheel or source archive by its name. Name the project's directory, or a .whl / .tar.gz file.`)
  }
  return valid(name, `the project name in the file name '${shown(base)}'`)
}
