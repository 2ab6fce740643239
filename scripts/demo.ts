/**
 * Runs the bundled action once, locally, the way the runner does, against
 * the loopback fixtures (no internet needed): `npm run demo [release] [mode]`.
 */
import { makeVenv, runAction } from '../__tests__/fixtures/runAction.js'
import { startWorld } from '../__tests__/fixtures/world.js'

const [release = 'queens', mode = 'release'] = process.argv.slice(2)
const world = await startWorld()
try {
  const python = makeVenv()
  console.log(`Installing nova-dpm for ${release} (mode ${mode}) into ${python}\n`)
  const run = await runAction({
    release,
    mode,
    python,
    'index-url': world.indexUrl,
    constraints: world.constraintsUrl(release),
    repository: world.repos['nova-dpm'],
    cache: 'false'
  })
  console.log(run.stdout)
  console.log('Outputs:')
  for (const [name, value] of Object.entries(run.outputs)) console.log(`  ${name}: ${value}`)
  process.exitCode = run.code
} finally {
  await world.close()
}
