// KVM or TCG? /dev/kvm may exist and still not run a guest (a paravirtual KVM aborts with
// "failed to set MSR" or crawls), so a short probe boot decides; its verdict is cached.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { InfraError } from '../errors.ts'
import { run } from '../process.ts'
import { CONSOLE_MARKS } from './guest-init.ts'
import type { Accel } from './qemu-command.ts'

export type AccelChoice = Accel | 'auto'

export interface AccelDecision {
  accel: Accel
  reason: string
}

/** How long a KVM probe boot may take before KVM is called unusable (a real KVM boots in ~1 s). */
const KVM_PROBE_TIMEOUT_MS = 8_000

function kvmOpenable(): string | undefined {
  if (!existsSync('/dev/kvm')) return '/dev/kvm does not exist'
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK)
    return undefined
  } catch {
    return '/dev/kvm is not readable and writable by this user'
  }
}

async function probeKvm(qemu: string, kernelImage: string, initrd: string): Promise<string | undefined> {
  const result = await run(qemu, [
    '-machine', 'q35,accel=kvm', '-cpu', 'host', '-m', '256', '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-kernel', kernelImage, '-initrd', initrd, '-append', 'console=ttyS0 quiet panic=-1 limafs.probe=1', '-serial', 'stdio',
  ], { timeoutMs: KVM_PROBE_TIMEOUT_MS })
  if (result.stdout.includes(CONSOLE_MARKS.probeOk)) return undefined
  if (result.timedOut) return `a KVM probe boot did not finish in ${KVM_PROBE_TIMEOUT_MS / 1000} s`
  const why = (result.stderr.trim().split('\n').find((l) => l.trim()) ?? `exit ${result.exitCode}`).trim()
  return `a KVM probe boot failed: ${why}`
}

/** Decides the accelerator; `auto` probes KVM once per (QEMU, kernel, host kernel) and caches the answer. */
export async function decideAccel(options: {
  choice: AccelChoice
  qemu: string
  qemuVersion: string
  kernelId: string
  kernelImage: string
  initrd: string
  cacheDir: string
  hostKernel: string
}): Promise<AccelDecision> {
  if (options.choice === 'tcg') return { accel: 'tcg', reason: 'asked for (--accel tcg)' }
  const unopenable = kvmOpenable()
  if (unopenable) {
    if (options.choice === 'kvm') throw new InfraError(`--accel kvm: ${unopenable}`, { hint: 'use --accel tcg (or auto)' })
    return { accel: 'tcg', reason: unopenable }
  }
  const cacheFile = join(options.cacheDir, 'accel.json')
  const key = `${options.qemuVersion}|${options.kernelId}|${options.hostKernel}`
  let failure: string | undefined
  const cached = existsSync(cacheFile) ? (JSON.parse(readFileSync(cacheFile, 'utf8')) as { key?: string; failure?: string | null }) : undefined
  if (cached?.key === key) failure = cached.failure ?? undefined
  else {
    failure = await probeKvm(options.qemu, options.kernelImage, options.initrd)
    mkdirSync(options.cacheDir, { recursive: true })
    writeFileSync(cacheFile, JSON.stringify({ key, failure: failure ?? null }, null, 2))
  }
  if (!failure) return { accel: 'kvm', reason: 'a KVM probe boot succeeded' }
  if (options.choice === 'kvm') throw new InfraError(`KVM is present but unusable: ${failure}`, { hint: 'use --accel tcg (or auto, which falls back to TCG)' })
  return { accel: 'tcg', reason: `KVM unusable (${failure}); using TCG` }
}
