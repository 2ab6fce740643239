import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { strToU8, zipSync } from 'fflate'

export interface WheelSpec {
  name: string
  version: string
  requires?: string[]
  /** Extra files, path inside the wheel to content. */
  files?: Record<string, string>
}

/** The module a fixture distribution installs: `nova-dpm` -> `nova_dpm`. */
export function moduleName(name: string): string {
  return name.replace(/[-.]/g, '_').toLowerCase()
}

function recordHash(data: Uint8Array): string {
  return 'sha256=' + createHash('sha256').update(data).digest('base64url')
}

/**
 * Writes a valid pure-Python wheel (PEP 427): the module, METADATA with
 * Requires-Dist, WHEEL and a RECORD with real hashes. Returns its path.
 */
export function writeWheel(dir: string, spec: WheelSpec): string {
  const dist = moduleName(spec.name)
  const info = `${dist}-${spec.version}.dist-info`
  const files: Record<string, Uint8Array> = {
    [`${dist}/__init__.py`]: strToU8(`__version__ = ${JSON.stringify(spec.version)}\n`)
  }
  for (const [name, content] of Object.entries(spec.files ?? {})) files[name] = strToU8(content)
  const metadata = [
    'Metadata-Version: 2.1',
    `Name: ${spec.name}`,
    `Version: ${spec.version}`,
    ...(spec.requires ?? []).map(r => `Requires-Dist: ${r}`)
  ].join('\n')
  files[`${info}/METADATA`] = strToU8(metadata + '\n')
  files[`${info}/WHEEL`] = strToU8('Wheel-Version: 1.0\nGenerator: setup-nova-dpm-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n')
  const record = Object.entries(files).map(([name, data]) => `${name},${recordHash(data)},${data.length}`)
  files[`${info}/RECORD`] = strToU8([...record, `${info}/RECORD,,`].join('\n') + '\n')
  const file = path.join(dir, `${dist}-${spec.version}-py3-none-any.whl`)
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(file, zipSync(files))
  return file
}
