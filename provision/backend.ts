// What the orchestrator needs from a backend (the built-in testbed, Lima, any VM over ssh):
// a guest with one share per configuration, reachable over ssh, that can be restarted.
import type { SshConnection } from './ssh.ts'
import type { ShareConfig, ShareSetup } from './types.ts'

/** A share as it came up in the guest. */
export interface BootedShare extends ShareSetup {
  mounted: boolean
  mountError?: string
  /** The guest's mountinfo for it: "fstype source mount-options super-options". */
  mountinfo?: string
}

export interface Guest {
  readonly shares: BootedShare[]
  /** The user ssh logs in as; the agent runs through sudo when it is not root. */
  readonly loginUser: string
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

export interface Backend {
  readonly name: string
  /** Brings up a guest carrying one share per configuration. */
  boot(configs: readonly ShareConfig[], log: (line: string) => void): Promise<Guest>
}
