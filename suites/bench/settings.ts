// The bench suite's sizes: the agent's --bench-files, --bench-bytes and --bench-repeats, and
// `limafs run|bench`'s flags of the same names (passed through). Defaults are sized so the bench
// of the default matrix (17 configurations, 13 of them measurable) takes about a minute on a
// 2-core host with a TCG guest, where one 9p call takes ~5 ms: 64 s for the whole `limafs bench`
// there, 37 s of it the bench itself (see the README's Bench section).
/** Files per workload: on 9p under TCG each file costs ~40 ms over the eight workloads. */
export const DEFAULT_BENCH_FILES = 12
/** The large file: 1 MiB moves in ~15 ms each way over 9p under TCG (~80 MB/s), 8 chunks. */
export const DEFAULT_BENCH_BYTES = 1024 * 1024
/** Repeats per workload and config: a median and a spread need at least three. */
export const DEFAULT_BENCH_REPEATS = 3
export const MIN_BENCH_REPEATS = 3
/**
 * The app-like workloads' size (git-tree 4N files, npm-unpack 2N packages, sqlite 4N inserts): at
 * 1 a handful each (~20 calls), so they add about what two of the other workloads cost under TCG;
 * a real checkout of a few thousand files is --bench-scale 750 (on KVM: minutes under TCG).
 */
export const DEFAULT_BENCH_SCALE = 1
