// Open files: what temp files, logs, editors and mmap users do. A descriptor after its name is
// gone (unlink, rename, rename over it), O_TMPFILE, O_APPEND writers, the host changing a file
// the guest has open, and a mapping whose file shrinks. Each aspect is a file. Every check runs
// on all mounts at once.
import { checksAtOnce } from '../../agent/check-api.ts'
import { hostChanges } from './host-changes.ts'
import { mapped } from './mapped.ts'
import { names } from './names.ts'
import { unlinked } from './unlinked.ts'

export default checksAtOnce('open-files', 'Open files: descriptors after unlink and rename, O_TMPFILE, O_APPEND, host changes under an open file, mmap of a file that shrinks', [
  ...unlinked,
  ...names,
  ...hostChanges,
  ...mapped,
])
