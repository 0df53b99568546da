/** The version `qemu-system-* --version` prints on its first line ("7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)"). */
export function qemuVersionOf(stdout: string): string {
  return stdout.split('\n')[0]?.replace(/^QEMU emulator version\s*/, '') ?? 'unknown'
}
