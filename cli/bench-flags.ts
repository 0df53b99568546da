// The bench suite's size flags, as `limafs run` and `limafs bench` take them and pass them on to
// the agent (which owns the defaults: suites/bench/settings.ts). Checked here too, so a typo is a
// usage error before anything boots.
import { DEFAULT_BENCH_BYTES, DEFAULT_BENCH_FILES, DEFAULT_BENCH_REPEATS, DEFAULT_BENCH_SCALE, MIN_BENCH_REPEATS } from '../suites/bench/settings.ts'
import { intOption } from './args.ts'

export const BENCH_FLAG_OPTIONS = {
  'bench-files': { type: 'string' },
  'bench-bytes': { type: 'string' },
  'bench-repeats': { type: 'string' },
  'bench-scale': { type: 'string' },
} as const

export const BENCH_FLAGS_USAGE = `  --bench-files N    bench: files per workload (default ${DEFAULT_BENCH_FILES})
  --bench-bytes N    bench: bytes of the large file written then read (default ${DEFAULT_BENCH_BYTES / 1024 / 1024} MiB)
  --bench-repeats N  bench: repeats per workload and config, interleaved (default ${DEFAULT_BENCH_REPEATS}, at least ${MIN_BENCH_REPEATS})
  --bench-scale N    bench: size of the app-like workloads: git-tree 4N files, npm-unpack 2N packages,
                     sqlite 4N inserts (default ${DEFAULT_BENCH_SCALE}, quick under TCG; 750: a 3000-file checkout)`

export interface BenchFlagValues {
  'bench-files'?: string
  'bench-bytes'?: string
  'bench-repeats'?: string
  'bench-scale'?: string
}

/** The agent flags for the sizes given (none given: none passed, the agent's defaults apply). */
export function benchAgentFlags(values: BenchFlagValues): string[] {
  const mins = { 'bench-files': 1, 'bench-bytes': 1, 'bench-repeats': MIN_BENCH_REPEATS, 'bench-scale': 1 } as const
  return (Object.keys(mins) as Array<keyof typeof mins>).flatMap((flag) => {
    const value = values[flag]
    return value === undefined ? [] : [`--${flag}`, String(intOption(value, `--${flag}`, 0, mins[flag]))]
  })
}
