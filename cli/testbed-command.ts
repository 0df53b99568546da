// `limafs testbed up|status|exec|restart|remount|down`: the built-in Lima-faithful QEMU guest.
import { join } from 'node:path'
import { UsageError } from '../provision/errors.ts'
import { mountinfoLine } from '../provision/guest-facts.ts'
import { loadDefaultMatrix } from '../provision/matrix/load-matrix.ts'
import { shellJoin } from '../provision/shell-quote.ts'
import {
  connect, DEFAULT_QEMU_UID, down, isRunning, readState, remount, restart, up, type TestbedState,
} from '../provision/testbed/instance.ts'
import { SIBLING_FS_MIB } from '../provision/testbed/sibling-shares.ts'
import { choiceOption, intOption, parse } from './args.ts'
import type { CliEnvironment } from './environment.ts'
import { stderrLog } from './progress.ts'

const TESTBED_USAGE = `Usage: limafs testbed <command> [options]

The built-in testbed: a QEMU guest whose shares are set up exactly as Lima sets them up,
one share per configuration (4 9p security models x 4 cache modes, and virtiofs).

Commands:
  up                 prepare the cache once (kernel, initramfs, keys), boot, mount every share
  status             whether it runs, its ssh port, and each share's host dir, guest mount
                     point and effective options (from the guest's /proc/self/mountinfo)
  exec -- CMD...     run CMD in the guest as root; prints its output, exits with its code
  restart            power the guest off and boot it again: same shares, same host dirs
  remount CONFIG     unmount one share in the guest and mount it again (same fstab line)
  down               stop the guest and remove its run dir (host dirs included)

Options:
  --name NAME        testbed instance name (default: default)
  --cache-dir DIR    cache for kernel, initramfs, keys (default: $XDG_CACHE_HOME/limafs)
  --run-dir DIR      instance dir (default: /var/tmp/limafs-<uid>/<name>)
  --uid N, --gid N   the user QEMU runs as when started as root, as Lima runs it as the
                     logged-in user (default: ${DEFAULT_QEMU_UID}:${DEFAULT_QEMU_UID}); the guest gets a user with this uid
  --accel MODE       auto|kvm|tcg (default: auto: KVM only if a probe boot succeeds)
  --cpus N           guest CPUs (default: 2)
  --memory MIB       guest memory in MiB (default: 1024)
  --ssh-port N       host port forwarded to the guest's sshd (default: a free one)
  --boot-timeout S   seconds to wait for the guest's ssh (default: 60)
  --kernel-deb FILE  a linux-image .deb to boot instead of apt's linux-image-amd64
  --siblings         (up) mount every configuration a second time on one shared small dir
                     (/mnt/limafs-sibling/<config>; a ${SIBLING_FS_MIB} MiB tmpfs on the host when root), as
                     \`limafs run\` does for suites that switch models or fill a share
  --json             (status) print the state as JSON
  -h, --help         this help`

const options = {
  name: { type: 'string' },
  'cache-dir': { type: 'string' },
  'run-dir': { type: 'string' },
  uid: { type: 'string' },
  gid: { type: 'string' },
  accel: { type: 'string' },
  cpus: { type: 'string' },
  memory: { type: 'string' },
  'ssh-port': { type: 'string' },
  'boot-timeout': { type: 'string' },
  'kernel-deb': { type: 'string' },
  siblings: { type: 'boolean' },
  json: { type: 'boolean' },
} as const

export function instanceDirFor(env: CliEnvironment, name: string, runDir?: string): string {
  return runDir ?? join(env.instancesDir, name)
}

function describe(state: TestbedState, running: boolean): string {
  const lines = [
    `testbed ${state.name}: ${running ? 'running' : 'not running'} (QEMU ${state.qemu.version}, ${state.accel.accel}, pid ${state.qemu.pid}, runs as uid ${state.qemu.uid})`,
    `ssh: root@127.0.0.1 -p ${state.sshPort}${state.guest ? `; guest kernel ${state.guest.kernel}` : ''}`,
    `run dir: ${state.instanceDir}`,
    ...(state.siblingFs ? [`sibling shares: on ${state.siblingFs.kind === 'tmpfs' ? `a ${state.siblingFs.sizeMiB} MiB tmpfs` : `a plain dir (${state.siblingFs.why})`}`] : []),
    '',
  ]
  const row = (name: string, s: Pick<TestbedState['shares'][number], 'mounted' | 'mountError' | 'hostDir' | 'mountPoint' | 'mountinfo'>) => [
    name,
    s.mounted ? 'mounted' : `NOT MOUNTED${s.mountError ? `: ${s.mountError}` : ''}`,
    s.hostDir,
    s.mountPoint,
    s.mountinfo ? mountinfoLine(s.mountinfo) : '-',
  ]
  const rows = state.shares.flatMap((s) => [row(s.config.name, s), ...(s.sibling ? [row(`${s.config.name} (sibling)`, s.sibling)] : [])])
  const header = ['CONFIG', 'STATE', 'HOST DIR', 'GUEST MOUNT POINT', 'EFFECTIVE OPTIONS (mountinfo)']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  for (const row of [header, ...rows]) lines.push(row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
  if (state.shares.some((s) => s.mountinfo?.fsType === '9p' && !/(^|,)msize=/.test(s.mountinfo.superOptions))) {
    lines.push('', 'A 9p share without msize= above has the kernel\'s default msize: Linux (>= 5.15) prints msize only when it', 'differs from its 128 KiB default, so Lima\'s msize=131072 (in the guest\'s /etc/fstab) does not show here.')
  }
  return lines.join('\n')
}

export async function testbedCommand(argv: string[], env: CliEnvironment): Promise<number> {
  const dashdash = argv.indexOf('--')
  const own = dashdash < 0 ? argv : argv.slice(0, dashdash)
  const command = dashdash < 0 ? [] : argv.slice(dashdash + 1)
  const { values, positionals } = parse(own, options, TESTBED_USAGE)
  const sub = positionals[0]
  if (values.help || !sub) {
    process.stdout.write(`${TESTBED_USAGE}\n`)
    return values.help ? 0 : 64
  }
  const name = values.name ?? 'default'
  const instanceDir = instanceDirFor(env, name, values['run-dir'])
  const log = stderrLog()
  const bootTimeoutMs = intOption(values['boot-timeout'], '--boot-timeout', 60, 1) * 1000
  switch (sub) {
    case 'up': {
      await up({
        name, instanceDir, log, bootTimeoutMs,
        cacheDir: values['cache-dir'] ?? env.cacheDir,
        configs: loadDefaultMatrix().configs,
        accel: choiceOption(values.accel, '--accel', ['auto', 'kvm', 'tcg'] as const, 'auto'),
        cpus: intOption(values.cpus, '--cpus', 2, 1),
        memoryMiB: intOption(values.memory, '--memory', 1024, 256),
        uid: intOption(values.uid, '--uid', DEFAULT_QEMU_UID, 1),
        gid: intOption(values.gid, '--gid', intOption(values.uid, '--uid', DEFAULT_QEMU_UID, 1), 1),
        ...(values['ssh-port'] ? { sshPort: intOption(values['ssh-port'], '--ssh-port', 0, 1) } : {}),
        ...(values['kernel-deb'] ? { kernelDeb: values['kernel-deb'] } : {}),
        siblings: !!values.siblings,
      })
      return 0
    }
    case 'status': {
      const state = readState(instanceDir)
      if (!state) {
        process.stdout.write(values.json ? '{"running":false}\n' : `testbed ${name}: not running (no ${instanceDir})\n`)
        return 1
      }
      const running = isRunning(state)
      process.stdout.write(values.json ? `${JSON.stringify({ running, ...state }, null, 2)}\n` : `${describe(state, running)}\n`)
      return running ? 0 : 1
    }
    case 'exec': {
      if (!command.length) throw new UsageError(`testbed exec needs a command after --\n\n${TESTBED_USAGE}`)
      const state = readState(instanceDir)
      if (!state) throw new UsageError(`testbed ${name} is not running (no ${instanceDir}); start it with \`limafs testbed up\``)
      const ssh = await connect(state)
      try {
        const proc = await ssh.spawn(shellJoin(command))
        proc.stdout.pipe(process.stdout, { end: false })
        proc.stderr.pipe(process.stderr, { end: false })
        if (process.stdin.isTTY) proc.end()
        else {
          process.stdin.on('data', (d: Buffer) => void proc.write(d))
          process.stdin.on('end', () => proc.end())
        }
        const { code, signal } = await proc.done
        return code ?? (signal ? 128 + 9 : 2)
      } finally {
        ssh.close()
      }
    }
    case 'restart':
      await restart(instanceDir, { bootTimeoutMs, log })
      return 0
    case 'remount': {
      const config = positionals[1]
      if (!config) throw new UsageError(`testbed remount needs a configuration name\n\n${TESTBED_USAGE}`)
      const share = await remount(instanceDir, config)
      process.stdout.write(`${share.config.name}: ${share.mountinfo ? `${share.mountinfo.superOptions}` : 'not mounted'}\n`)
      return 0
    }
    case 'down': {
      const existed = await down(instanceDir, log)
      log(existed ? `testbed ${name} stopped; ${instanceDir} removed` : `testbed ${name} was not running`)
      return 0
    }
    default:
      throw new UsageError(`unknown testbed command ${JSON.stringify(sub)}\n\n${TESTBED_USAGE}`)
  }
}
