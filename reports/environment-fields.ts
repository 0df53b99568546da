// The environment fields the reports show first, in this order, with their labels.
export const ENVIRONMENT_ROWS: ReadonlyArray<[string, string]> = [
  ['hostOs', 'host OS'], ['backend', 'backend'], ['limaVersion', 'Lima'], ['qemuVersion', 'QEMU'], ['qemuUid', 'QEMU runs as uid'],
  ['accelerator', 'accelerator'], ['guestKernel', 'guest kernel'], ['guestNode', 'guest Node'],
]

/** A value shown as text; undefined for objects, null and undefined. */
export function scalar(value: unknown): string | undefined {
  return value === undefined || value === null || typeof value === 'object' ? undefined : String(value)
}
