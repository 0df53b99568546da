// What a read-only share's scratch dir holds. The guest can make nothing there, so `limafs run`
// makes it on the host side (provision/read-only-scratch.ts) before the agent starts, and the
// read-only suite reads it back: plain data shared by both, so they can't disagree.

/** The suite's dir in the scratch dir (the shared suites' `<scratch>/<suite name>`). */
export const FIXTURE_DIR = 'read-only'

export const TEXT = 'limafs read-only fixture\n'
/** The mtime the host gives `file`: half a second past 2001-09-09 01:46:40 UTC (exact in a double). */
export const FILE_MTIME_S = 1_000_000_000.5
/** The same, as the agent's `times` op prints it. */
export const FILE_MTIME_TEXT = '1000000000.500000000'
/** `large`: bigger than the guest's read-ahead and 9p's msize, so a partial or stale copy shows. */
export const LARGE_BYTES = 8 * 1024 * 1024

export type FixtureEntry =
  | { name: string; kind: 'file'; mode: number; content: string | 'LARGE'; mtimeS?: number }
  | { name: string; kind: 'dir'; mode: number }
  | { name: string; kind: 'symlink'; target: string }

/** Objects the refusal checks aim at, one each: a write that wrongly goes through spoils no other check. */
export const VICTIMS = ['write', 'truncate', 'chmod', 'chown', 'utimes', 'setxattr', 'unlink', 'rename', 'link'].map((op) => `victim-${op}`)

/** In order: a dir before what is in it. */
export const FIXTURE: readonly FixtureEntry[] = [
  { name: 'file', kind: 'file', mode: 0o644, content: TEXT, mtimeS: FILE_MTIME_S },
  { name: 'exec', kind: 'file', mode: 0o755, content: '#!/bin/sh\necho limafs\n' },
  { name: 'dir', kind: 'dir', mode: 0o755 },
  { name: 'dir/inner', kind: 'file', mode: 0o644, content: TEXT },
  { name: 'link', kind: 'symlink', target: 'file' },
  { name: 'large', kind: 'file', mode: 0o644, content: 'LARGE' },
  // The host changes these while the guest watches.
  ...['edit', 'save', 'gone', 'grow'].map((name): FixtureEntry => ({ name, kind: 'file', mode: 0o644, content: TEXT })),
  { name: 'listed', kind: 'dir', mode: 0o755 },
  { name: 'listed/a', kind: 'file', mode: 0o644, content: TEXT },
  ...VICTIMS.map((name): FixtureEntry => ({ name, kind: 'file', mode: 0o644, content: TEXT })),
  { name: 'victim-rmdir', kind: 'dir', mode: 0o755 },
]

/** `large`'s bytes: 64-byte lines that each say their own offset, so no two blocks are alike. */
export function largeContent(bytes = LARGE_BYTES): Buffer {
  const buf = Buffer.alloc(bytes)
  for (let off = 0; off < bytes; off += 64) buf.write(`limafs ${off.toString(16).padStart(12, '0')} ${'.'.repeat(43)}\n`, off, 'latin1')
  return buf
}

/**
 * What the agent's `digest` op says of `large`, written down rather than computed: making 8 MiB
 * and hashing it costs ~1 s of emulated CPU in every agent process that loads the suites (test:
 * read-only-local checks it against largeContent()).
 */
export const LARGE_DIGEST = { size: LARGE_BYTES, sha256: 'bb7ea7bee347abdafcae5496cf5ca9c9777cbbec88d8da8256389479d60e75b5' } as const
