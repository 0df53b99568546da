import { constants } from 'node:os'
import t from 'tap'
import { errnoFromMessage, normalizeErrno } from '../../agent/errno-names.ts'

t.test('errno aliases collapse to one spelling, other names are left alone', async (t) => {
  const table: Array<[string, string]> = [
    ['ENOTSUP', 'EOPNOTSUPP'],
    ['EOPNOTSUPP', 'EOPNOTSUPP'],
    ['EWOULDBLOCK', 'EAGAIN'],
    ['EDEADLOCK', 'EDEADLK'],
    ['ENOATTR', 'ENODATA'],
    ['EPERM', 'EPERM'],
    ['ELOOP', 'ELOOP'],
    ['TIMEOUT', 'TIMEOUT'],
    [`Unknown system error -${constants.errno.EBADMSG}`, 'EBADMSG'], // libuv does not name every errno: the system's number does
    ['Unknown system error -99999', 'Unknown system error -99999'],
  ]
  for (const [name, want] of table) t.equal(normalizeErrno(name), want, name)
})

t.test('tools\' error messages name their errno; an unknown message is EIO', async (t) => {
  const table: Array<[string, string]> = [
    ["chown: changing ownership of 'x': Operation not permitted", 'EPERM'],
    ['setfattr: x: Operation not supported', 'EOPNOTSUPP'],
    ['getfattr: x: No such attribute', 'ENODATA'],
    ['x: No data available', 'ENODATA'],
    ["mkfifo: cannot create fifo 'x': File exists", 'EEXIST'],
    ['setfattr: x: Argument list too long', 'E2BIG'],
    ['setfattr: x: Numerical result out of range', 'ERANGE'],
    ['cat: x: Too many levels of symbolic links', 'ELOOP'],
    ['mount: /mnt: permission denied.', 'EACCES'],
    ['No such file or directory', 'ENOENT'],
    ["mknod: 'x': No such device or address", 'ENXIO'],
    ['x: Read-only file system', 'EROFS'],
    ['something went wrong', 'EIO'],
    ['', 'EIO'],
  ]
  for (const [message, want] of table) t.equal(errnoFromMessage(message), want, JSON.stringify(message))
})
