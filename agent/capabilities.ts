// What the guest offers the checks: root or not, who the ordinary user is, which helpers exist.
// Read by the agent process itself (never from the share: /etc/passwd and PATH only).
import { accessSync, constants, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The uid:gid checks chown to: neither root nor any likely real user. */
export const OTHER_OWNER = { uid: 1234, gid: 5678 } as const

/** Is cmd an executable on PATH? Looked up directly: under emulation every process costs ~0.2 s. */
function has(cmd: string, path = process.env.PATH ?? '/usr/bin:/bin'): boolean {
  return path.split(':').some((dir) => {
    try {
      accessSync(join(dir || '.', cmd), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/**
 * The guest's ordinary user: --user if given; else who ran sudo (Lima logs in as the host
 * user and sudoes); else the first account with a uid from 1000; else 1000.
 */
export function ordinaryUser(given: string | undefined, env: NodeJS.ProcessEnv, passwdFile = '/etc/passwd'): { uid: number; gid: number } {
  if (given) {
    const [uid, gid] = given.split(':').map(Number)
    return { uid: uid!, gid: gid ?? uid! }
  }
  if (env.SUDO_UID && env.SUDO_UID !== '0') return { uid: Number(env.SUDO_UID), gid: Number(env.SUDO_GID ?? env.SUDO_UID) }
  try {
    for (const line of readFileSync(passwdFile, 'utf8').split('\n')) {
      const [, , uid, gid] = line.split(':')
      const n = Number(uid)
      if (n >= 1000 && n < 65534) return { uid: n, gid: Number(gid) }
    }
  } catch {
    // no passwd: fall through
  }
  return { uid: 1000, gid: 1000 }
}

/** How xattrs, fifos and device nodes are made: python3, the command-line tools (getfattr, setfattr, mkfifo, mknod), or not at all. */
export type XattrTool = 'python3' | 'tools' | 'none'

interface GuestTools {
  python3: boolean
  xattr: XattrTool
  acl: boolean
}

export function guestTools(): GuestTools {
  const python3 = has('python3')
  return {
    python3,
    xattr: python3 ? ('python3' as const) : has('getfattr') && has('setfattr') ? ('tools' as const) : ('none' as const),
    acl: has('setfacl') && has('getfacl'),
  }
}
