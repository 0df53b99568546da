// POSIX times: which calls move atime, mtime and ctime (and which must not), and whether times
// set explicitly (to the nanosecond, past 2038, UTIME_NOW, UTIME_OMIT, on a symlink itself)
// are kept and last. pjdfstest checks these after every metadata call; build tools, rsync, git
// and backups trust them.
import { suite } from '../../agent/check-api.ts'
import { CALLS } from './calls.ts'
import { SETTERS } from './utimensat.ts'

export default suite('times', 'POSIX times: which calls move atime, mtime and ctime; utimensat, UTIME_NOW/OMIT, futimens; explicit times last', [...CALLS, ...SETTERS])
