// The guest's python3 helper program: a loop that reads one JSON request per line
// ({op, args}) and answers one JSON line ({ok, value} or {ok: false, errno, message}). Its ops
// come in families, a file each, every one a piece of Python that registers its ops with
// `@op('name')`; this file puts them together. Python, because Node has no API for xattrs,
// fifos, device nodes, mount(2), mmap and the like.
import { benchPy } from './bench.ts'
import { benchSqlitePy } from './bench-sqlite.ts'
import { childrenPy } from './children.ts'
import { dirStreamPy } from './dir-stream.ts'
import { locksPy } from './locks.ts'
import { mmapPy } from './mmap.ts'
import { mountPy } from './mount.ts'
import { objectsPy } from './objects.ts'
import { openFilesPy } from './open-files.ts'
import { spacePy } from './space.ts'
import { specialPy } from './special.ts'
import { sqlitePy } from './sqlite.ts'
import { timesPy } from './times.ts'
import { treePy } from './tree.ts'
import { xattrPy } from './xattr.ts'

const PRELUDE = String.raw`
import sys, os, json, errno, time, ctypes
LIBC = ctypes.CDLL(None, use_errno=True)
def sysc(rc):
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
OPS = {}
def op(name):
    def register(f):
        if name in OPS: raise ValueError('op %s is defined twice' % name)
        OPS[name] = f
        return f
    return register
`

const LOOP = String.raw`
for line in sys.stdin:
    req = json.loads(line)
    try:
        f = OPS.get(req['op'])
        if f is None: raise ValueError('unknown op ' + str(req['op']))
        res = {'ok': True, 'value': f(req['args'])}
    except OSError as e:
        res = {'ok': False, 'errno': errno.errorcode.get(e.errno, 'E%d' % e.errno), 'message': e.strerror or str(e)}
    except Exception as e:
        res = {'ok': False, 'errno': 'EHELPER', 'message': str(e)}
    sys.stdout.write(json.dumps(res) + '\n')
    sys.stdout.flush()
`

/** A helper program made of the given op families (the host's \`limafs migrate\` takes the tree family alone). */
export function pythonProgram(families: readonly string[]): string {
  return [PRELUDE, ...families, LOOP].join('\n')
}

export const PYTHON_HELPER = pythonProgram([xattrPy, specialPy, mountPy, mmapPy, benchPy, timesPy, objectsPy, treePy, childrenPy, locksPy, sqlitePy, openFilesPy, spacePy, benchSqlitePy, dirStreamPy])
