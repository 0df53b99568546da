// Names: what a case-sensitive, byte-preserving POSIX file system keeps, and whether a share
// keeps it too: 255-byte names, a path near PATH_MAX, characters shells treat specially, bytes
// that are not UTF-8, the NFC and NFD forms of one word, names that differ only in case, a
// case-only rename; and whether the host dir holds every name byte for byte. Names travel as
// bytes (hex) to the system calls and back. A shared suite: one job over every mount, each
// mount's points in turn; the host's listings of all of them at once.
import { sharedSuite, type PointSpec, type SharedContext, type SharedTarget } from '../../agent/check-api.ts'
import { sharedPoint } from '../../agent/shared-check.ts'
import { CASE } from './case.ts'
import { CHARS } from './chars.ts'
import { HOST_STORED } from './host-stored.ts'
import { LONG } from './long.ts'
import { Groups } from './groups.ts'
import { hostNamesFrom, NameCheck, showNameArgs, type HostListing, type NamePoint } from './name-check.ts'
import { UNICODE } from './unicode.ts'

/** In the order they run on a mount: host-stored last, as it looks for everything the others made. */
const NAME_POINTS: readonly NamePoint[] = [...LONG, ...CHARS, ...UNICODE, ...CASE, HOST_STORED]

const POINTS: PointSpec[] = NAME_POINTS.map(({ id, title, needs }) => ({ id, title, ...(needs ? { needs } : {}) }))

async function onMount(ctx: SharedContext, t: SharedTarget): Promise<void> {
  const groups = new Groups(t.dir)
  const noHost = ctx.unmet(['host'])
  // One listing per dir and mount: every create and the rename come before the first look.
  const listed = new Map<string, Promise<HostListing>>()
  const hostList = (dir: string) => {
    if (!listed.has(dir)) listed.set(dir, listOnHost(dir))
    return listed.get(dir)!
  }
  const listOnHost = async (dir: string): Promise<HostListing> => {
    if (noHost) return { missing: noHost }
    const r = await t.host.act('list', dir)
    if (!r.ok) return { missing: `the host could not list it: ${r.error}` }
    const names = hostNamesFrom(r.value)
    return names ? { names } : { missing: `the host's listing is not a list of names: ${JSON.stringify(r.value).slice(0, 80)}` }
  }
  for (const p of NAME_POINTS) await sharedPoint(ctx, t, p, (c) => p.run(new NameCheck(c, groups, t.dir, hostList)), showNameArgs)
  // The path-max chain alone costs the guest ~50 calls to remove: the host removes the suite's dir in one.
  if (!noHost) await t.host.act('remove-tree', t.dir)
}

export default sharedSuite(
  'names',
  'Names: 255-byte names, PATH_MAX, special characters, non-UTF-8 bytes, NFC vs NFD, case; kept byte for byte in the guest and on the host',
  POINTS,
  async (ctx) => {
    await Promise.all(ctx.targets.map((t) => onMount(ctx, t)))
  },
)
