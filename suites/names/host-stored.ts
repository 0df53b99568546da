// What the host keeps: every name the guest made (and was told it made) is in the host dir,
// byte for byte. A name the host stores otherwise (normalized, case-folded, re-encoded) is a
// silent failure: the guest was told OK.
import { showNames } from './catalog.ts'
import type { NamePoint } from './name-check.ts'

export const HOST_STORED: NamePoint = {
  id: 'names/host-stored/bytes',
  title: 'every name the guest made in this suite is in the host dir byte for byte (the host bridge lists names as bytes)',
  needs: ['host'],
  async run(n) {
    if (!n.groups.registry.length) n.c.skip('the guest made no names on this mount: nothing to look for on the host')
    const missing: string[] = []
    let absentCount = 0
    const dirs = [...new Set(n.groups.registry.map((m) => m.dir))]
    for (const dir of dirs) {
      const host = await n.hostList(dir)
      if ('missing' in host) return n.c.fail({ op: 'host-list', args: [dir], wanted: 'a listing', found: host.missing, stage: 'host', class: 'loud' })
      const absent = n.groups.registry.filter((m) => m.dir === dir && !host.names.includes(m.hex)).map((m) => m.hex)
      absentCount += absent.length
      if (absent.length) missing.push(`${dir.split('/').pop()}: ${showNames(absent)} (host holds ${showNames(host.names)})`)
    }
    n.c.note(`${n.groups.registry.length} names in ${dirs.length} dirs`)
    if (!missing.length) return
    n.c.extra.notOnHost = missing
    n.c.fail({ op: 'host-list', args: dirs, wanted: 'every name the guest made, byte for byte', found: `${absentCount} of ${n.groups.registry.length} not on the host (notOnHost says which)`, stage: 'host', class: 'silent' })
  },
}
