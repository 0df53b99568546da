// Every GitHub workflow in .github/workflows/ and the copyable example in
// docs/gate-lima-upgrade.md is valid YAML with the structure GitHub needs: `on`, and jobs whose
// `runs-on` is set and whose steps each have `uses` or `run`; the CI matrix they name loads.
// action.yml (the repository as a composite action) has what GitHub needs of one, uses every
// input it declares, and the workflows that use it (`uses: ./`) give it only inputs it has.
import { spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { parseDocument } from 'yaml'
import { loadMatrix } from '../../provision/matrix/load-matrix.ts'
import { REPO } from '../helpers/testbed.ts'

const WORKFLOWS = join(REPO, '.github', 'workflows')
const DOC = join(REPO, 'docs', 'gate-lima-upgrade.md')
const ACTION = join(REPO, 'action.yml')

function parseYaml(t: Test, text: string, where: string): Record<string, any> {
  const doc = parseDocument(text)
  t.strictSame(doc.errors.map((e) => e.message), [], `${where}: YAML without errors`)
  return doc.toJS() as Record<string, any>
}

/** The steps of a workflow's jobs that use this repository's action, with the job's id. */
function actionSteps(wf: Record<string, any>): Array<{ job: string; step: Record<string, any> }> {
  return Object.entries<any>(wf.jobs ?? {}).flatMap(([job, j]) => (j.steps ?? []).filter((s: any) => s.uses === './').map((step: any) => ({ job, step })))
}

function checkWorkflow(t: Test, text: string, where: string): Record<string, any> {
  const wf = parseYaml(t, text, where)
  t.ok(wf && typeof wf === 'object', `${where}: a map`)
  t.ok('on' in wf, `${where}: has on:`)
  t.ok(wf.jobs && Object.keys(wf.jobs).length > 0, `${where}: has jobs`)
  for (const [id, job] of Object.entries<any>(wf.jobs ?? {})) {
    t.match(id, /^[A-Za-z_][A-Za-z0-9_-]*$/, `${where}: job id ${id} is valid`)
    t.ok(typeof job['runs-on'] === 'string' || Array.isArray(job['runs-on']), `${where}: jobs.${id}.runs-on`)
    t.ok(Array.isArray(job.steps) && job.steps.length > 0, `${where}: jobs.${id}.steps`)
    for (const [i, step] of (job.steps ?? []).entries()) {
      t.ok(('uses' in step) !== ('run' in step), `${where}: jobs.${id}.steps[${i}] has exactly one of uses or run`)
    }
    for (const need of [job.needs ?? []].flat()) t.ok(need in wf.jobs, `${where}: jobs.${id}.needs ${need} exists`)
  }
  // The action, used from this repository: only inputs it declares, every required one given.
  const inputs = parseYaml(t, readFileSync(ACTION, 'utf8'), 'action.yml').inputs ?? {}
  for (const { job, step } of actionSteps(wf)) {
    for (const key of Object.keys(step.with ?? {})) t.ok(key in inputs, `${where}: jobs.${job} gives the action input ${key}, which action.yml declares`)
    for (const [name, input] of Object.entries<any>(inputs)) if (input.required) t.ok(name in (step.with ?? {}), `${where}: jobs.${job} gives the required input ${name}`)
  }
  return wf
}

const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f))

t.test('there are the Linux CI and the macOS Lima workflows', async (t) => {
  t.ok(files.includes('ci.yml'))
  t.ok(files.includes('lima-macos.yml'))
})

for (const file of files) {
  t.test(`.github/workflows/${file} has the structure GitHub needs`, async (t) => {
    checkWorkflow(t, readFileSync(join(WORKFLOWS, file), 'utf8'), file)
  })
}

t.test('ci.yml runs .ci/run on Linux', async (t) => {
  const wf = checkWorkflow(t, readFileSync(join(WORKFLOWS, 'ci.yml'), 'utf8'), 'ci.yml')
  const steps = Object.values<any>(wf.jobs).flatMap((j) => j.steps)
  t.ok(steps.some((s) => s.run === 'bash .ci/run'))
  t.ok(Object.values<any>(wf.jobs).every((j) => /ubuntu/.test(j['runs-on'])))
})

t.test('lima-macos.yml: macos-14 arm64, brew install lima, the 9p CI matrix through the action (`uses: ./`)', async (t) => {
  const wf = checkWorkflow(t, readFileSync(join(WORKFLOWS, 'lima-macos.yml'), 'utf8'), 'lima-macos.yml')
  const job = Object.values<any>(wf.jobs)[0]
  t.equal(job['runs-on'], 'macos-14')
  const runs = job.steps.map((s: any) => s.run ?? '').join('\n')
  t.match(runs, /brew install lima/)
  t.ok(job.steps.findIndex((s: any) => s.uses === 'actions/checkout@v4') < job.steps.findIndex((s: any) => s.uses === './'), 'checked out before the action is used')
  const [use] = actionSteps(wf)
  t.match(use?.step.with, { backend: 'lima', matrix: '.github/lima-ci-matrix.yaml', out: 'limafs-results', 'fail-on-failed-checks': 'false' })
  const matrix = loadMatrix(join(REPO, '.github', 'lima-ci-matrix.yaml'))
  t.equal(matrix.backend, 'lima')
  t.ok(matrix.configs.length >= 3 && matrix.configs.length <= 4, 'a few configurations (TCG is slow)')
  t.ok(matrix.configs.every((c) => c.mountType === '9p'), '9p only: no vz, so no virtiofs, on those runners')
})

t.test('docs/gate-lima-upgrade.md: its example workflow is valid and fails the job on regressions', async (t) => {
  t.ok(existsSync(DOC))
  const blocks = [...readFileSync(DOC, 'utf8').matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!)
  t.equal(blocks.length, 1, 'one workflow to copy')
  const wf = checkWorkflow(t, blocks[0]!, 'docs example')
  const gateRuns = Object.values<any>(wf.jobs).flatMap((j) => j.steps).map((s: any) => s.run ?? '').join('\n')
  t.match(gateRuns, /limafs\.js gate --baseline runs\/results-current --current runs\/results-candidate/)
  t.match(gateRuns, /exit "\$code"/, 'the gate\'s exit code is the job\'s')
  t.match(actionSteps(wf), [{ job: 'run', step: { with: { backend: 'lima', out: 'results', 'fail-on-failed-checks': 'false' } } }], 'the two runs go through the action')
})

t.test('testbed-action.yml: the action on Linux, in a privileged Debian 12 container', async (t) => {
  const wf = checkWorkflow(t, readFileSync(join(WORKFLOWS, 'testbed-action.yml'), 'utf8'), 'testbed-action.yml')
  const job = Object.values<any>(wf.jobs)[0]
  t.match(job.container, { image: 'debian:12', options: '--privileged' })
  t.equal(actionSteps(wf).length, 1)
})

t.test('action.yml is a composite action: name, description, inputs described and all used, every step a `uses` or a `run` with its shell', async (t) => {
  const action = parseYaml(t, readFileSync(ACTION, 'utf8'), 'action.yml')
  t.type(action.name, 'string')
  t.type(action.description, 'string')
  t.equal(action.runs?.using, 'composite')
  const steps: Array<Record<string, any>> = action.runs?.steps ?? []
  t.ok(steps.length > 0, 'has steps')
  for (const [i, step] of steps.entries()) {
    t.ok(('uses' in step) !== ('run' in step), `steps[${i}] has exactly one of uses or run`)
    if ('run' in step) {
      t.type(step.shell, 'string', `steps[${i}] (a run) names its shell: composite actions require it`)
      t.notMatch(step.run, /\$\{\{/, `steps[${i}] passes inputs through env, not spliced into the script`)
      const syntax = spawnSync('bash', ['-n', '-c', step.run], { encoding: 'utf8' })
      t.equal(syntax.status, 0, `steps[${i}]'s script parses in bash ${syntax.stderr}`)
    }
  }
  const inputs = Object.entries<any>(action.inputs ?? {})
  t.ok(inputs.length >= 4, 'inputs')
  const text = JSON.stringify({ runs: action.runs, outputs: action.outputs })
  for (const [name, input] of inputs) {
    t.type(input.description, 'string', `input ${name} is described`)
    t.ok(text.includes(`inputs.${name}`), `input ${name} is used`)
  }
  for (const name of ['matrix', 'backend', 'out', 'args']) t.ok(action.inputs[name], `an input for ${name}`)
  const ids = new Set(steps.map((s) => s.id).filter(Boolean))
  for (const [name, output] of Object.entries<any>(action.outputs ?? {})) {
    for (const [, id] of String(output.value).matchAll(/steps\.([\w-]+)\./g)) t.ok(ids.has(id), `output ${name} reads step ${id}, which exists`)
  }
  t.ok(steps.some((s) => /^actions\/upload-artifact@/.test(s.uses ?? '') && s.if === 'always()' && s.with?.path === '${{ inputs.out }}'), 'uploads the results dir, whatever happened')
  t.ok(steps.some((s) => /GITHUB_STEP_SUMMARY/.test(s.run ?? '') && /summary\.md/.test(s.run ?? '') && s.if === 'always()'), 'writes summary.md into the job summary')
  const all = steps.map((s) => s.run ?? '').join('\n')
  t.match(all, /brew install lima qemu/, 'macOS: Lima and QEMU')
  t.match(all, /\.ci\/install-deps" --run-only/, 'Linux: the testbed\'s Debian packages, as the repo installs them')
  t.match(all, /node "\$GITHUB_ACTION_PATH\/bin\/limafs\.js" "\$\{args\[@\]\}"/, 'runs limafs from the action\'s own checkout')
  accessSync(join(REPO, '.ci', 'install-deps'), constants.X_OK)
  t.ok(existsSync(join(REPO, 'bin', 'limafs.js')))
})
