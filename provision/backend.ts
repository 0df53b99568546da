// What the orchestrator needs from a backend (the built-in testbed, Lima, any VM over ssh):
// a guest with one share per configuration, reachable over ssh, that can be restarted.
import type { SshConnection } from './ssh.ts'
import type { ShareConfig, ShareSetup, SiblingSetup } from './types.ts'

/** How a mount came up in the guest. */
interface MountState {
  mounted: boolean
  mountError?: string
  /** Mounted, but not the configuration the matrix names (Lima filled in other settings): not run, with this reason. */
  refused?: string
  /** The guest's mountinfo for it: "fstype source mount-options super-options". */
  mountinfo?: string
}

/** A share as it came up in the guest (with its sibling, when the run asked for siblings and the backend has them). */
export interface BootedShare extends Omit<ShareSetup, 'sibling'>, MountState {
  sibling?: SiblingSetup & MountState
}

/** What a run asks of a backend's guest beyond one share per configuration. */
export interface BootOptions {
  /** Give every share a sibling (see SiblingSetup); a backend that can't leaves them out, and the checks that need one say so. */
  siblings?: boolean
}

export interface Guest {
  readonly shares: BootedShare[]
  /** The user ssh logs in as; the agent runs through sudo when it is not root. */
  readonly loginUser: string
  /**
   * The share dirs were made for this run and go with the guest: the agent need not remove its
   * scratch dirs in them (on 9p that costs ~0.5 s a share). False for a user's own shares.
   */
  readonly disposableShares: boolean
  connect(): Promise<SshConnection>
  /** False once the VM is gone (crashed, killed). */
  isAlive(): boolean
  /** Power off and boot again: same shares, same host dirs; shares' mount state refreshed. */
  restart(log: (line: string) => void): Promise<void>
  /** Stop the guest and remove what the backend made for it. */
  stop(log: (line: string) => void): Promise<void>
  /** Facts for environment.json (QEMU version, accelerator, guest kernel...). */
  environment(): Record<string, unknown>
}

/** Configurations that one guest carries, when a backend needs more than one (see Backend.groups). */
export interface GuestGroup {
  /** Names the guest in progress lines and phase names ("9p", "virtiofs"). */
  label: string
  configs: ShareConfig[]
  /** The host side of these shares can't be reached: the agent runs without the host bridge and its host-side checks are SKIP with this reason. */
  noHostReason?: string
}

export interface Backend {
  readonly name: string
  /**
   * Guests to run one after another, each with some of the configurations (Lima: one instance
   * per mount type). Absent: one guest carries them all.
   */
  groups?(configs: readonly ShareConfig[]): GuestGroup[]
  /** Brings up a guest carrying one share per configuration. */
  boot(configs: readonly ShareConfig[], log: (line: string) => void, options?: BootOptions): Promise<Guest>
}
