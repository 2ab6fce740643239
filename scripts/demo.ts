/**
 * Runs the bundled action once, locally, the way the runner does, against
 * the loopback fixtures (no internet needed): `npm run demo [release] [mode]`.
 * Prints the log, the outputs and the job summary.
 */
import { makeVenv, runAction } from '../__tests__/fixtures/runAction.js'
import { startWorld } from '../__tests__/fixtures/world.js'

const [release = 'queens', mode] = process.argv.slice(2)
const world = await startWorld()
try {
  const python = makeVenv()
  // A mode left out is left to the action, as in a workflow: release: master implies mode master.
  console.log(`Installing nova-dpm for ${release}${mode === undefined ? '' : ` (mode ${mode})`} into ${python}\n`)
  const run = await runAction({
    release,
    ...(mode === undefined ? {} : { mode }),
    python,
    'index-url': world.indexUrl,
    constraints: world.constraintsUrl(release),
    repository: world.repos['nova-dpm'],
    cache: 'false'
  })
  console.log(run.stdout)
  console.log('Outputs:')
  for (const [name, value] of Object.entries(run.outputs)) console.log(`  ${name}: ${value}`)
  console.log('\nJob summary (the Markdown written to GITHUB_STEP_SUMMARY, shown on the run\'s page):\n')
  console.log(run.summary)
  process.exitCode = run.code
} finally {
  await world.close()
}
