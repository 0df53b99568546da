// Every GitHub workflow in .github/workflows/ and the copyable example in
// docs/gate-lima-upgrade.md is valid YAML with the structure GitHub needs: `on`, and jobs whose
// `runs-on` is set and whose steps each have `uses` or `run`; the CI matrix they name loads.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { parseDocument } from 'yaml'
import { loadMatrix } from '../../provision/matrix/load-matrix.ts'
import { REPO } from '../helpers/testbed.ts'

const WORKFLOWS = join(REPO, '.github', 'workflows')
const DOC = join(REPO, 'docs', 'gate-lima-upgrade.md')

function checkWorkflow(t: Test, text: string, where: string): Record<string, any> {
  const doc = parseDocument(text)
  t.strictSame(doc.errors.map((e) => e.message), [], `${where}: YAML without errors`)
  const wf = doc.toJS() as Record<string, any>
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

t.test('lima-macos.yml: macos-14 arm64, brew install lima, the 9p CI matrix, results uploaded', async (t) => {
  const wf = checkWorkflow(t, readFileSync(join(WORKFLOWS, 'lima-macos.yml'), 'utf8'), 'lima-macos.yml')
  const job = Object.values<any>(wf.jobs)[0]
  t.equal(job['runs-on'], 'macos-14')
  const runs = job.steps.map((s: any) => s.run ?? '').join('\n')
  t.match(runs, /brew install lima/)
  t.match(runs, /node bin\/limafs\.js run --backend lima --matrix \.github\/lima-ci-matrix\.yaml/)
  t.ok(job.steps.some((s: any) => /actions\/upload-artifact/.test(s.uses ?? '') && s.with?.path === 'limafs-results' && s.if === 'always()'))
  const matrix = loadMatrix(join(REPO, '.github', 'lima-ci-matrix.yaml'))
  t.equal(matrix.backend, 'lima')
  t.ok(matrix.configs.length >= 3 && matrix.configs.length <= 4, 'a few configurations (TCG is slow)')
  t.ok(matrix.configs.every((c) => c.mountType === '9p'), '9p only: no vz, so no virtiofs, on those runners')
})

t.test('docs/gate-lima-upgrade.md: its example workflow is valid and fails the job on regressions', async (t) => {
  t.ok(existsSync(DOC))
  const blocks = [...readFileSync(DOC, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!)
  t.equal(blocks.length, 1, 'one workflow to copy')
  const wf = checkWorkflow(t, blocks[0]!, 'docs example')
  const gateRuns = Object.values<any>(wf.jobs).flatMap((j) => j.steps).map((s: any) => s.run ?? '').join('\n')
  t.match(gateRuns, /limafs\.js gate --baseline runs\/results-current --current runs\/results-candidate/)
  t.match(gateRuns, /exit "\$code"/, 'the gate\'s exit code is the job\'s')
})
