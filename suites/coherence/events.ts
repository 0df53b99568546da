// The host's changes the coherence suite fires, each with how the guest primes its caches
// before and what the guest should see after; and the guest's writes the host should see.
import type { Arg, SharedTarget } from '../../agent/check-api.ts'

export const V1 = 'limafs-coherence-v1-aaaaaaaaaaaa\n'
export const V2 = 'limafs-coherence-v2-bbbbbbbbbbbb\n' // same size as V1: an in-place edit
const MORE = 'appended\n'
const OLD_MTIME = 1_000_000_000 // 2001: whatever the host's clock says now is later

export interface Probe {
  op: string
  args: Arg[]
  /** What the guest sees once the change is visible. */
  wanted: string
  /** Reads the op's outcome as comparable text. */
  read: (r: { ok: boolean; value?: unknown; errno?: string }) => string
}

export interface HostEvent {
  name: string
  title: string
  /** Host-side setup (before the guest primes its caches). */
  setup: (t: SharedTarget, file: string, host: Host) => Promise<unknown>
  act: (t: SharedTarget, file: string, host: Host) => Promise<{ ok: boolean; error?: string }>
  probe: (file: string) => Probe
  /** The guest reads the file through a descriptor opened before the change. */
  openFd?: boolean
  /** Primes the guest's caches: what the guest looks at before the change. */
  prime?: 'read' | 'lstat' | 'readdir'
}

export type Host = SharedTarget['host']

export const text = (r: { ok: boolean; value?: unknown; errno?: string }) => (r.ok ? String(r.value) : r.errno ?? 'error')
const field = (name: string) => (r: { ok: boolean; value?: unknown; errno?: string }) => (r.ok ? String((r.value as Record<string, unknown>)[name]) : r.errno ?? 'error')
export const write = (host: Host, path: string, content: string) => host.act('write', path, { content })

export const HOST_EVENTS: HostEvent[] = [
  {
    name: 'edit-in-place', title: 'host edits a file in place (same size)', openFd: true, prime: 'read',
    setup: (_t, f, h) => write(h, f, V1), act: (_t, f, h) => write(h, f, V2),
    probe: (f) => ({ op: 'read', args: [f], wanted: V2, read: text }),
  },
  {
    name: 'append', title: 'host appends to a file (size grows)', openFd: true, prime: 'read',
    setup: (_t, f, h) => write(h, f, V1), act: (_t, f, h) => h.act('append', f, { content: MORE }),
    probe: (f) => ({ op: 'read', args: [f], wanted: V1 + MORE, read: text }),
  },
  {
    name: 'truncate', title: 'host truncates a file (size shrinks)', openFd: true, prime: 'read',
    setup: (_t, f, h) => write(h, f, V1), act: (_t, f, h) => h.act('truncate', f, { size: 8 }),
    probe: (f) => ({ op: 'read', args: [f], wanted: V1.slice(0, 8), read: text }),
  },
  {
    name: 'replace', title: 'host replaces a file (write a new one, rename it over)', prime: 'read',
    setup: (_t, f, h) => write(h, f, V1), act: (_t, f, h) => h.act('replace', f, { content: V2 }),
    probe: (f) => ({ op: 'read', args: [f], wanted: V2, read: text }),
  },
  {
    name: 'create', title: 'host creates a new file', prime: 'lstat',
    setup: async () => undefined, act: (_t, f, h) => write(h, f, V2),
    probe: (f) => ({ op: 'read', args: [f], wanted: V2, read: text }),
  },
  {
    name: 'delete', title: 'host deletes a file', prime: 'read',
    setup: (_t, f, h) => write(h, f, V1), act: (_t, f, h) => h.act('unlink', f),
    probe: (f) => ({ op: 'lstat', args: [f], wanted: 'ENOENT', read: (r) => (r.ok ? 'exists' : r.errno ?? 'error') }),
  },
  {
    name: 'rename', title: 'host renames a file (the new name shows, the old one goes)', prime: 'read',
    setup: (_t, f, h) => write(h, f, V1), act: (_t, f, h) => h.act('rename', f, { to: `${f}.renamed` }),
    probe: (f) => ({ op: 'lstat', args: [f], wanted: 'ENOENT', read: (r) => (r.ok ? 'exists' : r.errno ?? 'error') }),
  },
  {
    name: 'chmod', title: 'host chmods a file (does the guest\'s stat change?)', prime: 'lstat',
    setup: async (_t, f, h) => {
      await write(h, f, V1)
      return h.act('chmod', f, { mode: 0o644 })
    },
    act: (_t, f, h) => h.act('chmod', f, { mode: 0o600 }),
    probe: (f) => ({ op: 'lstat', args: [f], wanted: '0600', read: field('mode') }),
  },
  {
    name: 'chown', title: 'host chowns a file (does the guest\'s stat change?)', prime: 'lstat',
    setup: (_t, f, h) => write(h, f, V1), act: (_t, f, h) => h.act('chown', f, { uid: 1234, gid: 5678 }),
    probe: (f) => ({ op: 'lstat', args: [f], wanted: '1234', read: field('uid') }),
  },
  {
    name: 'touch', title: 'host touches a file (does the guest\'s mtime change?)', prime: 'lstat',
    setup: async (_t, f, h) => {
      await write(h, f, V1)
      return h.act('touch', f, { mtime: OLD_MTIME })
    },
    act: (_t, f, h) => h.act('touch', f),
    probe: (f) => ({ op: 'lstat', args: [f], wanted: 'newer', read: (r) => (r.ok ? ((r.value as { mtime: number }).mtime > OLD_MTIME + 1 ? 'newer' : String((r.value as { mtime: number }).mtime)) : r.errno ?? 'error') }),
  },
  {
    name: 'readdir', title: 'an entry the host makes shows in a guest readdir', prime: 'readdir',
    setup: (_t, f, h) => h.act('mkdir', f), act: (_t, f, h) => write(h, `${f}/new-entry`, V1),
    probe: (f) => ({ op: 'readdir', args: [f], wanted: 'new-entry', read: text }),
  },
]

export const GUEST_WRITES = [
  { name: 'write-close', title: 'guest writes and closes a file: the host sees the content', fsync: false, close: true },
  { name: 'write-open', title: 'guest writes a file it keeps open: the host sees the content', fsync: false, close: false },
  { name: 'write-fsync', title: 'guest writes and fsyncs a file it keeps open: the host sees the content', fsync: true, close: false },
] as const
