// The error of a results.json or run.json that cannot be used: its own module, so that the CLI
// entry can tell it apart (exit 64) without loading the schemas that raise it.

/** A results.json or run.json that cannot be used as it is: the CLI exits 64 on it, as on a usage error. */
export class ResultsFileError extends Error {
  override name = 'ResultsFileError'
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message)
  }
}
