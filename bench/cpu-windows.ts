// How busy the host's CPUs were in each stretch of a run (`npm run bench:run`): a stretch where
// they idle is waiting on round trips (latency-bound: more lanes could help), one where they are
// full is bound by the CPU (only less work helps). Pure: samples of /proc/stat and the run's log
// lines in, rows out.

/** One reading of /proc/stat's first line: jiffies busy and in all, at a time in seconds. */
export interface CpuSample {
  at: number
  busy: number
  total: number
}

/** /proc/stat's "cpu" line: idle and iowait are idle, the rest busy. */
export function parseCpuLine(text: string, at: number): CpuSample | undefined {
  const m = /^cpu\s+(.*)$/m.exec(text)
  if (!m) return undefined
  const n = m[1]!.trim().split(/\s+/).map(Number)
  if (n.length < 5 || n.some((x) => !Number.isFinite(x))) return undefined
  const total = n.reduce((a, b) => a + b, 0)
  return { at, busy: total - n[3]! - n[4]!, total }
}

/** The share of the CPUs busy between from and to (seconds), from the samples around it; undefined when none fall in it. */
export function busyShare(samples: readonly CpuSample[], from: number, to: number): number | undefined {
  const first = samples.findLast((s) => s.at <= from) ?? samples.find((s) => s.at >= from)
  const last = samples.find((s) => s.at >= to) ?? samples.at(-1)
  if (!first || !last || last.total <= first.total) return undefined
  return (last.busy - first.busy) / (last.total - first.total)
}

export interface Stretch {
  name: string
  from: number
  to: number
}

/**
 * The run's stretches from its log ("[ 12.8s] suites …", the agent's "NAME: 17 mounts at once",
 * "bench: ...", "NAME done (X s)"): each phase, and within the first pass's suites the shared
 * suites (two lanes), the bench (alone) and the mounts' own suites (two lanes).
 */
export function runStretches(log: string): Stretch[] {
  const at = (line: string) => Number(/^\[\s*([\d.]+)s\]/.exec(line)?.[1])
  const lines = log.split('\n').filter((l) => Number.isFinite(at(l)))
  const end = lines.length ? at(lines.at(-1)!) : 0
  const phaseStarts = lines.flatMap((l) => {
    const m = /^\[\s*[\d.]+s\] (boot|provision|suites|restart|verify|reports) …$/.exec(l)
    return m ? [{ name: m[1]!, from: at(l) }] : []
  })
  // A phase ends where it says it is done ("verify done in 5.6 s"), else where the next one starts.
  const doneAt = (name: string) => {
    const line = lines.find((l) => new RegExp(`^\\[\\s*[\\d.]+s\\] ${name} done in `).test(l))
    return line ? at(line) : undefined
  }
  const stretches: Stretch[] = phaseStarts.map((p, i) => ({ name: p.name, from: p.from, to: doneAt(p.name) ?? phaseStarts[i + 1]?.from ?? end }))
  const suites = stretches.find((s) => s.name === 'suites')
  if (!suites) return stretches
  const within = lines.filter((l) => at(l) >= suites.from && at(l) <= suites.to)
  const first = (re: RegExp) => within.find((l) => re.test(l))
  const sharedStart = first(/limafs-agent: (?!bench:)[\w-]+: \d+ mounts at once/)
  const benchStart = first(/limafs-agent: bench: \d+ mounts/)
  const benchDone = first(/limafs-agent: bench done \(/)
  const inner: Stretch[] = []
  if (sharedStart && benchStart) inner.push({ name: '  shared suites (2 lanes)', from: at(sharedStart), to: at(benchStart) })
  if (benchStart && benchDone) inner.push({ name: '  bench (alone)', from: at(benchStart), to: at(benchDone) })
  if (benchDone) inner.push({ name: "  mounts' own suites (2 lanes)", from: at(benchDone), to: suites.to })
  stretches.splice(stretches.indexOf(suites) + 1, 0, ...inner)
  return stretches
}
