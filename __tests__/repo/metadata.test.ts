import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Ajv } from 'ajv'
import { NoOperationTraceWriter } from '@actions/workflow-parser'
import { parseAction } from '@actions/workflow-parser/actions/index'
import { parse as parseYaml } from 'yaml'

const root = join(import.meta.dirname, '..', '..')
const schemaDir = join(root, '__tests__', 'fixtures', 'schemas')
const schemaFiles = ['github-action.json', 'dependabot-2.0.json']
const actionText = readFileSync(join(root, 'action.yml'), 'utf8')

// SchemaStore's schemas are draft-07, Ajv's default dialect. Strict mode makes Ajv
// refuse keywords it would ignore; strictTypes and strictRequired only ask for
// "type" and "properties" repeated in if/oneOf branches, which SchemaStore leaves out.
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false })
ajv.addKeyword('x-intellij-enum-metadata') // an editor annotation, not a constraint

function validator (file: string): (value: unknown) => string[] {
  const validate = ajv.compile(JSON.parse(readFileSync(join(schemaDir, file), 'utf8')))
  return value => validate(value) ? [] : (validate.errors ?? []).map(e => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)
}

const githubErrors = (content: string): string[] =>
  parseAction({ name: 'action.yml', content }, new NoOperationTraceWriter()).context.errors.getErrors().map(String)

test('the stored schemas are the ones SOURCE.md names, in draft-07', { timeout: 10_000 }, () => {
  const source = readFileSync(join(schemaDir, 'SOURCE.md'), 'utf8')
  for (const file of schemaFiles) {
    const text = readFileSync(join(schemaDir, file), 'utf8')
    assert.ok(source.includes(createHash('sha256').update(text).digest('hex')), `SOURCE.md does not name the checksum of ${file}`)
    assert.equal(JSON.parse(text).$schema, 'http://json-schema.org/draft-07/schema#')
  }
})

describe('action.yml', { timeout: 30_000 }, () => {
  const schemaErrors = validator('github-action.json')

  test('validates against SchemaStore\'s github-action schema', () => {
    assert.deepEqual(schemaErrors(parseYaml(actionText)), [])
  })

  test('parses with GitHub\'s action parser', () => {
    assert.deepEqual(githubErrors(actionText), [])
  })

  test('runs on node24 from the committed bundle', () => {
    const metadata = parseYaml(actionText) as { runs: { using: string, main: string } }
    assert.deepEqual(metadata.runs, { using: 'node24', main: 'dist/index.js' })
  })

  test('both checks reject broken metadata', () => {
    const metadata = parseYaml(actionText) as { runs: { using: string }, inputs: Record<string, unknown> }
    assert.ok(schemaErrors({ ...metadata, runs: { ...metadata.runs, using: 'node99' } }).length > 0)
    assert.ok(schemaErrors({ ...metadata, inputs: { ...metadata.inputs, extra: { required: false } } }).length > 0)
    assert.ok(githubErrors(actionText.replace(/^runs:/m, 'runz:')).length > 0)
  })
})

describe('.github/dependabot.yml', { timeout: 30_000 }, () => {
  const schemaErrors = validator('dependabot-2.0.json')
  const config = parseYaml(readFileSync(join(root, '.github', 'dependabot.yml'), 'utf8')) as { updates: Array<Record<string, unknown>> }

  test('validates against SchemaStore\'s dependabot schema', () => {
    assert.deepEqual(schemaErrors(config), [])
    assert.ok(schemaErrors({ ...config, updates: [{ ...config.updates[0], 'package-ecosystem': 'npmx' }] }).length > 0)
  })

  test('updates npm packages and the workflows\' actions weekly', () => {
    assert.deepEqual(config.updates.map(u => [u['package-ecosystem'], (u.schedule as { interval: string }).interval]).sort(),
      [['github-actions', 'weekly'], ['npm', 'weekly']])
  })
})
