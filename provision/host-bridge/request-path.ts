// A request's path, checked as text before anything is resolved (pure): relative to the mount,
// no empty, "." or ".." component, no NUL. A trailing slash is kept as "must be a directory"
// (the helper then opens that last component O_DIRECTORY|O_NOFOLLOW: a symlink does not pass).

export interface RequestPath {
  parts: string[]
  /** Written with a trailing slash. */
  dir: boolean
}

export function splitPath(path: string): RequestPath | { error: string } {
  if (!path) return { error: 'empty' }
  if (path.includes('\0')) return { error: 'has a NUL byte' }
  if (path.startsWith('/')) return { error: 'absolute: paths are relative to the mount' }
  const dir = path.endsWith('/')
  const parts = (dir ? path.slice(0, -1) : path).split('/')
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return { error: 'has an empty, "." or ".." component' }
  return { parts, dir }
}
