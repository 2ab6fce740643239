import * as path from 'node:path'
import type { CacheRestore, CacheSave } from '../cache/service.js'
import type { CacheStrategy } from '../cache/strategies.js'
import { ActionError } from '../errors.js'
import { fetchCheckout } from '../io/gitFetch.js'
import { runTempDir } from '../io/tempDir.js'
import { shown } from '../log/escape.js'
import { info, notice, warning } from '../log/log.js'
import { redact } from '../log/secrets.js'
import { pipInstall } from '../python/install.js'
import { Interpreter, type PythonFacts } from '../python/interpreter.js'
import { checkImports, inspectEnvironment, proofOf, verifyEnvironment, type DriverLoad, type Expected, type FileCount, type Inspection, type Proof, type Verified } from '../python/verify.js'
import { createVenv, venvPython, venvState } from '../python/venv.js'
import type { Timeline } from '../report/timeline.js'
import { factsOf, newestOf, PACKAGE_NAMES, RUNTIME_PKG_RESOURCES, type PackageFacts, type PackageName } from '../source/releases.js'
import type { Source } from '../source/resolve.js'
import { inRange } from '../source/versions.js'
import { askedFor, requirementsFile, type Job } from './job.js'

export interface Installed {
  /** The interpreter of the environment installed into: the base, or the venv's. */
  python: Interpreter
  /** Package -> version, read back from the environment. */
  versions: Record<string, string>
  /** The drivers' load checks: what was proved, or that the service is missing. */
  loads: DriverLoad[]
  proof: Proof
  restore?: CacheRestore
  save?: CacheSave
}

/** The bound on each interpreter start that inspects or imports. */
const VERIFY_LIMITS = { timeoutMs: 5 * 60 * 1000 }

/**
 * Installs into the interpreter or the action's venv, with the cache around
 * it, and proves the result. A venv cache entry that proves good needs no pip
 * at all; one that does not is rebuilt and saved anew. Nor does an
 * environment that already holds what pip would install (a re-run).
 */
export async function installVerified(job: Job, cache: CacheStrategy | undefined, timeline: Timeline): Promise<Installed> {
  const { venv } = job
  if (venv && venvState(venv) === 'foreign') {
    throw new ActionError(
      `'venv-path' ${shown(venv)} is a directory with files that the action did not create; it never clears or overwrites such a directory. Point 'venv-path' at a new or empty directory, or remove it yourself.`
    )
  }
  const expected = expectations(job)
  let restore: CacheRestore | undefined
  if (venv && cache?.kind === 'venv') {
    restore = await timeline.run('Restore venv cache', () => cache.restore())
    if (restore.exactHit) {
      const cached = await timeline.run('Verify cached venv', () => provedVenv(venv, expected, restore?.proved))
      if (cached) return { ...cached, versions: pick(cached.versions, job.settings.packages), loads: reportLoads(cached.loads), restore }
      restore = { ...restore, exactHit: false }
    }
  }
  // pip's cache is not the environment: it comes down while the environment is made and
  // inspected. These phases may overlap, so none of them opens a log group.
  const restoringPip = cache?.kind === 'pip' ? timeline.measure('Restore pip cache', () => cache.restore()) : undefined
  const readying = readyEnvironment(job, expected, timeline)
  await Promise.allSettled([restoringPip, readying])
  restore ??= await restoringPip
  const { python, found } = await readying
  if (pipWouldChangeNothing(job, python.facts, found, process.env)) {
    const imports = await timeline.run('Verify', async () => {
      const checked = await checkImports(python.facts.executable, expected, VERIFY_LIMITS)
      return { ...checked, proof: checked.failed.length === 0 && checked.loadProblems.length === 0 ? stated(found, checked.imported) : undefined }
    })
    if (imports.proof) {
      info(`${listed(found.versions)} and every dependency are installed as asked, within the constraints, and import; pip not needed.`)
      return { python, versions: pick(found.versions, job.settings.packages), loads: reportLoads(imports.loads), proof: imports.proof, restore }
    }
  }
  // What pip writes in this run comes straight from the wheels: verification words a file that differs from its RECORD accordingly.
  const pipStartedAt = Date.now()
  await timeline.run(`Install ${job.settings.packages.join(', ')}`, () => install(job, python, found.installed))
  const { versions, problems, loads, proof } = await timeline.run('Verify', async () => withProof(await verifyEnvironment(python.facts.executable, expected, { ...VERIFY_LIMITS, pipStartedAt })))
  if (!proof) throw new ActionError(`The install did not prove good: ${shown(problems.join('; '))}`)
  // Saved here, not in a post step, so that a later failing step cannot lose it.
  const save = cache && !restore?.exactHit ? await timeline.run('Save cache', () => cache.save()) : undefined
  return { python, versions: pick(versions, job.settings.packages), loads: reportLoads(loads), proof, restore, save }
}

/** A verification with its proof when it found nothing wrong. */
function withProof(verified: Verified): Verified & { proof?: Proof } {
  return { ...verified, proof: verified.problems.length === 0 ? stated(verified, verified.imported) : undefined }
}

/** The proof of a good verification, also said in its log group: the log of a good run is not empty there. */
function stated(inspection: Pick<Inspection, 'closure' | 'files'>, imported: Record<string, string>): Proof {
  const proof = proofOf(inspection, imported)
  info(describeProof(proof))
  return proof
}

/** One sentence for the log: the counts and names the summary's Verified row shows. */
export function describeProof(proof: Proof): string {
  const count = Object.keys(proof.closure).length
  const modules = proof.modules.length ? `imported ${proof.modules.join(', ')}` : 'imported no module'
  return (
    `Verified ${count} distribution${count === 1 ? '' : 's'} (the packages and all they need, each at a version its requirers accept), ` +
    `${proof.files.checked} of their files on disk as pip recorded them (${proof.files.hashed} against their recorded hash), and ${modules}.`
  )
}

/** The environment to install into, made if it is the action's venv, and what it holds already. */
async function readyEnvironment(job: Job, expected: Expected[], timeline: Timeline): Promise<{ python: Interpreter; found: Inspection }> {
  const { venv } = job
  const python = venv ? await timeline.measure('Create venv', () => createVenv(job.base, venv)) : job.base
  const found = await timeline.measure('Check what is installed', () =>
    inspectEnvironment(python.facts.executable, expected, { ...VERIFY_LIMITS, constraintsFile: job.constraints?.file })
  )
  return { python, found }
}

/** pip settings that make it install even what is already there. */
const PIP_FORCING = ['PIP_UPGRADE', 'PIP_FORCE_REINSTALL', 'PIP_IGNORE_INSTALLED']

/**
 * Whether `pip install` would find nothing to do: every package is asked for
 * by name and range (no git URL, path or requirements file, which pip may
 * rebuild), the environment already holds them and their dependencies, every
 * file as pip wrote it, at the versions the constraints allow, and pbr has
 * its pkg_resources. Then the action does not start pip at all, and the
 * imports finish the proof.
 */
export function pipWouldChangeNothing(
  job: Pick<Job, 'sources' | 'extraLines' | 'projects'>,
  facts: Pick<PythonFacts, 'hasPkgResources'>,
  found: Pick<Inspection, 'problems' | 'unmet'>,
  env: NodeJS.ProcessEnv
): boolean {
  const byName = job.sources.every(s => !s.commit) && job.extraLines.length === 0 && job.projects.names.length === 0
  const forced = PIP_FORCING.some(name => env[name] !== undefined && !/^(|0|false|no|off)$/i.test(env[name]!.trim()))
  return byName && !forced && facts.hasPkgResources && found.problems.length === 0 && found.unmet.length === 0
}

/**
 * A restored venv, used only when it proves good. Its files were hashed
 * against every RECORD by the tree check that let it run (restoreVenv), so
 * verification asks Python for the rest and takes that check's counts
 * (`filesProved`) rather than reading them again.
 */
async function provedVenv(venv: string, expected: Expected[], filesProved: ReadonlyMap<string, FileCount> | undefined): Promise<{ python: Interpreter; versions: Record<string, string>; loads: DriverLoad[]; proof: Proof } | undefined> {
  const executable = venvPython(venv)
  const { versions, problems, loads, proof, facts } = withProof(await verifyEnvironment(executable, expected, { ...VERIFY_LIMITS, filesProved, facts: true }))
  if (!proof || !facts) {
    warning(`The cached venv failed verification (${shown(problems.join('; '))}); rebuilding it and saving it under a new key.`)
    return undefined
  }
  info(`Cached venv holds ${listed(versions)}; pip not needed.`)
  return { python: Interpreter.answered(facts, executable), versions, loads, proof }
}

/** One pip run for everything, `setuptools<82` added where pbr would find no pkg_resources. */
async function install(job: Job, python: Interpreter, before: Record<string, string>): Promise<void> {
  const { settings } = job
  const checkouts = await fetchCheckouts(job)
  const requirements = [...job.sources.map(s => checkouts.get(s) ?? s.requirement), ...(job.extraLines.length ? ['-r', requirementsFile(job.extraLines)] : [])]
  const asked = askedFor(job)
  if (!python.facts.hasPkgResources) {
    info(`${shown(python.facts.executable)} has no working pkg_resources, which pbr needs when nova-dpm and networking-dpm are imported; installing '${RUNTIME_PKG_RESOURCES}' alongside.`)
    requirements.push(RUNTIME_PKG_RESOURCES)
    asked.push(RUNTIME_PKG_RESOURCES)
  }
  await namingSources(checkouts, () => pipInstall(
    python,
    { requirements, constraintsFile: job.constraints?.file, constraintsText: job.constraints?.text, indexUrl: settings.indexUrl, networkArgs: settings.network.pipArgs },
    {
      rule: settings.transport,
      timeoutSeconds: settings.network.timeoutSeconds,
      repositories: [...settings.plan.packages.flatMap(p => (p.git ? [p.git.repository] : [])), ...settings.requirements.flatMap(r => (r.kind === 'url' ? [r.url] : []))],
      packages: settings.packages,
      redacted: asked.map(redact),
      before,
      untestedPython: job.untested,
      missingAdvice: missingReleaseAdvice(job)
    }
  ))
}

/** The directory of each source fetched by the action (see gitFetch.ts), fetched side by side. */
async function fetchCheckouts(job: Job): Promise<Map<Source, string>> {
  const { network, transport } = job.settings
  const fetched = await Promise.all(
    job.sources.map(async (source): Promise<[Source, string][]> => {
      if (!source.checkout) return []
      const dir = path.join(runTempDir(), 'git', source.name)
      await fetchCheckout(source.checkout, dir, network, transport)
      return [[source, dir]]
    })
  )
  return new Map(fetched.flat())
}

/** pip names a checkout by its directory; the user knows it as the repository at a commit. */
async function namingSources(checkouts: Map<Source, string>, work: () => Promise<void>): Promise<void> {
  try {
    await work()
  } catch (error) {
    if (!(error instanceof ActionError)) throw error
    let message = error.message
    for (const [source, dir] of checkouts) message = message.replaceAll(dir, `${redact(source.requirement)} (fetched into ${dir})`)
    throw new ActionError(message)
  }
}

/**
 * What verification proves: each package installed in its range, its
 * dependencies met, its module importable; and each driver, whether from the
 * table or a local project of that name (a fork under test), loading the way
 * its service loads it when the service is there.
 */
function expectations(job: Job): Expected[] {
  const fromPlan = job.settings.plan.packages.map(p => ({
    name: p.name,
    module: p.module,
    range: p.specifier ? (v: string) => inRange(v, p.specifier!) : undefined,
    wanted: p.specifier,
    plugsInto: factsOf(p.name).plugsInto
  }))
  const projects = job.projects.names
    .filter((name): name is PackageName => (PACKAGE_NAMES as string[]).includes(name) && !fromPlan.some(p => p.name === name))
    .map(name => ({ name, module: factsOf(name).module, plugsInto: editableChecks(factsOf(name).plugsInto, job.projects.editable.includes(name)) }))
  return [...fromPlan, ...projects]
}

/** An editable checkout cannot put its shim inside the service's package: only the driver's own modules are checked. */
function editableChecks(plugsInto: PackageFacts['plugsInto'], editable: boolean): PackageFacts['plugsInto'] {
  if (!plugsInto || !editable) return plugsInto
  const skipped = plugsInto.loads.filter(check => check.kind === 'class' && check.shim)
  for (const check of skipped) if (check.kind === 'class') info(`An editable install cannot provide ${check.module} inside ${plugsInto.service}'s package; checking the driver's own module instead.`)
  return { ...plugsInto, loads: plugsInto.loads.filter(check => !skipped.includes(check)) }
}

/**
 * Says what the drivers' load checks proved, and when a driver's service is
 * missing: the install stands (a compute node's configuration step needs no
 * Nova), but its driver modules import the service and cannot be tested.
 */
function reportLoads(loads: DriverLoad[]): DriverLoad[] {
  for (const load of loads) {
    if (load.status === 'checked') info(`${describeLoad(load)}.`)
    if (load.status === 'no-service') notice(`${describeLoad(load)}. To load or test the driver, install the series' ${load.service} beside it: 'package: ${load.driver} ${load.service}'.`)
  }
  return loads
}

/** One sentence for the log and the summary's Verified row. */
export function describeLoad(load: DriverLoad): string {
  if (load.status === 'checked') return `${load.driver} loads the way ${load.service} loads it: ${load.proved.join('; ')}`
  if (load.status === 'no-service') return `${load.driver} is installed without ${load.service}: its driver modules import ${load.service}, so they (and the driver's unit tests) will not import`
  return `${load.driver} is not installed`
}

/**
 * Release mode asks the index for a service's release of an old series. Nova
 * reached PyPI only on 2018-08-30 and Neutron on 2018-01-08 (shared facts), so
 * an index may lack the era's releases: the stable mode builds the same code
 * from the series' tag instead.
 */
function missingReleaseAdvice(job: Job): Record<string, string> {
  const { plan } = job.settings
  const advice: Record<string, string> = {}
  for (const p of plan.packages) {
    const facts = factsOf(p.name)
    if (!p.specifier || facts.kind !== 'service') continue
    const series = plan.series.name
    advice[p.name] =
      `The newest ${p.name} of ${series} is ${newestOf(p.name, series) ?? 'not known'}; ${p.name} went to PyPI only from ${facts.onPyPiSince}, so an index may lack the era's releases. ` +
      `Use 'mode: stable' to build ${p.name} from its ${series} code instead (the stable/${series} branch, or its ${series}-eol tag once the branch is gone, from ${facts.home.replace('{package}', p.name)}).`
  }
  return advice
}

/** `nova-dpm 3.0.0, networking-dpm 3.0.0`: versions are read from the environment's metadata, so they are data to escape. */
function listed(versions: Record<string, string>): string {
  return Object.entries(versions)
    .map(([name, version]) => `${name} ${shown(version)}`)
    .join(', ')
}

function pick(versions: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map(n => [n, versions[n] ?? '']))
}
