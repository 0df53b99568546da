// Error classes, one per boundary. Each carries its context and says what to do; only the CLI
// entry (cli/main.ts) turns them into exit codes.

/** Bad command line, matrix or results file: the user must change what they gave. Exit 64. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** The environment could not do what was asked (QEMU missing, a guest that never answers). Exit 2. */
export class InfraError extends Error {
  override name = 'InfraError'
  constructor(
    message: string,
    readonly details: { hint?: string; logTail?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause })
  }
}

/** A child process failed: carries the command, its exit code and the tail of its stderr. */
export class ProcessError extends InfraError {
  override name = 'ProcessError'
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly stderr: string,
    hint?: string,
  ) {
    super(`${command} failed${exitCode === undefined ? '' : ` (exit ${exitCode})`}${stderr.trim() ? `: ${tail(stderr, 5)}` : ''}`, hint === undefined ? {} : { hint })
  }
}

/** The last `lines` non-empty lines of a text, for error messages. */
export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}
