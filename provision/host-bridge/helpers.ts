// The host helpers of one bridge: a long-lived python3 process per user it acts as. When limafs
// runs as root, acts in a scratch dir run as its owner: the user the share's server (QEMU, or
// virtiofsd) made it as through the share, so the bridge has no right the guest does not already
// have through the share (QEMU's user on 9p, 1000 on the testbed; root under the testbed's
// virtiofsd), and files it makes are that user's, as if they had made them. Only what needs
// root (a chown to another owner) runs in a root helper; not root, one helper as ourselves. Each helper holds its own descriptor of every scratch dir it acts in (opened on
// first use and checked to be the dir first claimed), and knows which files the bridge made.
import { HelperProcess, type HelperAnswer, type MadeInode } from './helper-process.ts'
import type { Owner } from './verbs/index.ts'

/** A scratch dir the bridge holds: where it is and which inode it was when claimed. */
export interface HeldScratch {
  key: string
  name: string
  /** The share's host dir (the scratch dir is directly in it). */
  shareDir: string
  dev: string
  ino: string
  /** Who owns it: whose rights acts in it run with. */
  owner: Owner
}

/** Files the bridge made that the helpers remember (past this, the oldest are forgotten: more refusals, never fewer). */
const MAX_MADE = 100_000

export interface HelpersOptions {
  python?: string
  portable?: boolean
  log: (line: string) => void
}

export class HostHelpers {
  readonly isRoot = process.getuid?.() === 0
  private readonly byUser = new Map<string, HelperProcess>()
  private readonly made = new Map<string, MadeInode>()

  constructor(private readonly o: HelpersOptions) {}

  /** The helper acting with the share owner's rights, or root's when asked (and we are root). */
  helper(owner: Owner, asRoot: boolean): HelperProcess {
    const who = !this.isRoot ? undefined : asRoot ? { uid: 0, gid: 0 } : owner
    const key = who ? `${who.uid}:${who.gid}` : 'self'
    let helper = this.byUser.get(key)
    if (!helper) {
      const switchTo = who && who.uid !== 0 ? who : undefined
      helper = new HelperProcess({
        label: !who ? 'self' : who.uid === 0 ? 'root' : `uid ${who.uid}`,
        ...(switchTo ? { uid: switchTo.uid, gid: switchTo.gid } : {}),
        ...(this.o.python ? { python: this.o.python } : {}),
        ...(this.o.portable ? { portable: true } : {}),
        log: this.o.log,
        onStart: (h) => {
          if (this.made.size) void h.call('note-made', { args: { inodes: [...this.made.values()] } })
        },
      })
      this.byUser.set(key, helper)
    }
    return helper
  }

  /** A first claim (or the orchestrator's own scratch dir): the helper opens and checks it. */
  claim(helper: HelperProcess, args: { share: string; name: string; key: string; since?: number; trusted?: boolean; expect?: [string, string] }): Promise<HelperAnswer> {
    const claimed = helper.call('claim', { args })
    helper.holds.set(args.key, claimed)
    void claimed.then((a) => {
      if (!a.ok) helper.holds.delete(args.key)
    })
    return claimed
  }

  /** Runs op in helper once it holds every scratch dir the request names. */
  async call(helper: HelperProcess, scratches: readonly HeldScratch[], op: string, body: Record<string, unknown>): Promise<HelperAnswer> {
    for (const s of scratches) {
      const held = await this.hold(helper, s)
      if (!held.ok) return held
    }
    const answer = await helper.call(op, body)
    if (answer.made?.length) this.remember(answer.made, helper)
    return answer
  }

  close(): void {
    for (const helper of this.byUser.values()) helper.close()
  }

  private hold(helper: HelperProcess, s: HeldScratch): Promise<HelperAnswer> {
    return helper.holds.get(s.key) ?? this.claim(helper, { share: s.shareDir, name: s.name, key: s.key, expect: [s.dev, s.ino] })
  }

  private remember(made: MadeInode[], from: HelperProcess): void {
    for (const m of made) {
      this.made.delete(`${m[0]}:${m[1]}`)
      this.made.set(`${m[0]}:${m[1]}`, m)
      if (this.made.size > MAX_MADE) this.made.delete(this.made.keys().next().value!)
    }
    for (const other of this.byUser.values()) if (other !== from && other.running) void other.call('note-made', { args: { inodes: made } })
  }
}
