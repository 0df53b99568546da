// Before anything is created: which Lima this is (`limactl --version`, `limactl info`), whether
// it can run what the matrix needs (its vmTypes; on macOS QEMU itself, which Homebrew's lima
// formula does not bring), and which of the user's ~/.lima/_config files will be merged into
// every instance. Each refusal says what to install or change.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { InfraError } from '../errors.ts'
import { run } from '../process.ts'
import type { InstancePlan } from './instance-plan.ts'
import type { LimaInfo } from './lima-info.ts'
import { atLeast, MINIMUM_LIMA_VERSION, parseLimaVersion, type LimaVersion } from './lima-version.ts'
import type { Limactl } from './limactl.ts'

export interface LimaPreflight {
  versionText: string
  version: LimaVersion | undefined
  info: LimaInfo
  /** Lima's host OS (info.hostOS, 2.x) or ours (1.x has no hostOS). */
  hostOs: string
  hostArch: string
  /** ~/.lima/_config/{default,override,base}.yaml that exist: merged into every instance by Lima. */
  configFiles: string[]
}

const BREW_HINT = 'on macOS: brew install lima qemu (the lima formula does not bring QEMU on macOS; 9p needs vmType qemu)'

/** Lima's arch name for a Node one. */
const limaArch = (nodeArch: string) => (nodeArch === 'arm64' ? 'aarch64' : nodeArch === 'x64' ? 'x86_64' : nodeArch)

/** The user's _config files Lima merges in (pkg/limayaml/load.go: default.yaml, override.yaml; base.yaml for templates). */
export function limaConfigFiles(limaHome: string): string[] {
  return ['default.yaml', 'override.yaml', 'base.yaml'].map((f) => join(limaHome, '_config', f)).filter((f) => existsSync(f))
}

export async function limaPreflight(limactl: Limactl): Promise<LimaPreflight> {
  const versionText = await limactl.version()
  const version = parseLimaVersion(versionText)
  if (version && !atLeast(version, 1, 1)) {
    throw new InfraError(`Lima ${versionText} is too old: limafs needs Lima >= ${MINIMUM_LIMA_VERSION} (lima.yaml's base: template://...)`, { hint: `upgrade Lima (${BREW_HINT}; or https://lima-vm.io/docs/installation/)` })
  }
  const info = await limactl.info()
  return {
    versionText, version, info,
    hostOs: info.hostOS ?? process.platform,
    hostArch: info.hostArch ?? limaArch(process.arch),
    configFiles: limaConfigFiles(info.limaHome),
  }
}

/** Refuses a plan this Lima can't run, saying what to install. */
export async function checkPlanRunnable(pre: LimaPreflight, plan: InstancePlan): Promise<void> {
  const vmTypes = pre.info.vmTypes ?? []
  if (vmTypes.length && !vmTypes.includes(plan.vmType)) {
    throw new InfraError(`Lima ${pre.versionText} on ${pre.hostOs} has no vmType ${plan.vmType} (limactl info: ${vmTypes.join(', ')}), which ${plan.mountType} needs here`, {
      hint: plan.vmType === 'vz' ? 'vmType vz needs macOS 13.5+: leave virtiofs out of the matrix elsewhere' : `install QEMU (${BREW_HINT}; Debian/Ubuntu: apt-get install qemu-system)`,
    })
  }
  if (plan.vmType === 'qemu') {
    const qemu = `qemu-system-${pre.hostArch}`
    const probe = await run(qemu, ['--version'], { timeoutMs: 30_000 })
    if (probe.failed) {
      throw new InfraError(`${qemu} is not installed or does not run${probe.stderr.trim() ? ` (${probe.stderr.trim().split('\n')[0]})` : ''}: Lima's vmType qemu (for ${plan.mountType}) needs it`, {
        hint: pre.hostOs === 'darwin' ? BREW_HINT : 'install QEMU (Debian/Ubuntu: apt-get install qemu-system)',
      })
    }
  }
}
