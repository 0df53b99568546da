// errno names, compared as names (never numbers: they differ between Linux and macOS).
// Aliases collapse to one spelling so Node's, Python's and the tools' answers compare equal.

import { constants } from 'node:os'

const ALIASES: Record<string, string> = {
  ENOTSUP: 'EOPNOTSUPP', // the same errno on Linux; Node says ENOTSUP, Python EOPNOTSUPP
  EWOULDBLOCK: 'EAGAIN',
  EDEADLOCK: 'EDEADLK',
  ENOATTR: 'ENODATA', // BSD spelling of "no such attribute"
}

export function normalizeErrno(name: string): string {
  // libuv names only the errnos it knows; others come as "Unknown system error -74": this
  // system's own number, named from os.constants (the agent runs where the error came from).
  const unknown = /^Unknown system error -(\d+)$/.exec(name)
  if (unknown) name = Object.entries(constants.errno).find(([, n]) => n === Number(unknown[1]))?.[0] ?? name
  return ALIASES[name] ?? name
}

/** strerror texts (glibc) of the errnos file tools print, for tools that only print messages. */
const STRERROR: Array<[RegExp, string]> = [
  [/Operation not permitted/i, 'EPERM'],
  [/No such file or directory/i, 'ENOENT'],
  [/Permission denied/i, 'EACCES'],
  [/File exists/i, 'EEXIST'],
  [/No such attribute|No data available/i, 'ENODATA'],
  [/Operation not supported/i, 'EOPNOTSUPP'],
  [/Numerical result out of range/i, 'ERANGE'],
  [/Argument list too long/i, 'E2BIG'],
  [/Too many levels of symbolic links/i, 'ELOOP'],
  [/No space left on device/i, 'ENOSPC'],
  [/Read-only file system/i, 'EROFS'],
  [/Invalid argument/i, 'EINVAL'],
  [/No such device or address/i, 'ENXIO'],
  [/Not a directory/i, 'ENOTDIR'],
  [/Is a directory/i, 'EISDIR'],
  [/Input\/output error/i, 'EIO'],
  [/Device or resource busy/i, 'EBUSY'],
  [/Disk quota exceeded/i, 'EDQUOT'],
  [/File name too long/i, 'ENAMETOOLONG'],
]

/** The errno name a tool's error message names, or EIO when it names none we know. */
export function errnoFromMessage(message: string): string {
  return STRERROR.find(([re]) => re.test(message))?.[1] ?? 'EIO'
}
