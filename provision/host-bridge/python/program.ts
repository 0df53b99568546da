// The host helper program (python3, one long-lived process per owner; see ../helpers.ts): a
// loop that reads one JSON request per line from the orchestrator ({id, op, at, to?, args}) and
// answers one line ({id, ok, value} | {id, ok: false, refused} | {id, ok: false, errno, where,
// detail}, with `made`: the files it made). Its ops come from the verb families (../verbs/*.ts),
// each a piece of Python registering ops with `@op('name')` on top of the prelude.
//
// Why Python: Node has no openat, O_PATH, fstatat or fchownat, so it can't resolve a path
// beneath a directory descriptor without following symlinks; python3's os functions take dir_fd
// and follow_symlinks=False on Linux and macOS alike, it is on every host Lima runs on (macOS
// has it with the developer tools), and the guest's agent already works the same way. A compiled
// helper would need a toolchain or a binary per host kind; Node alone would leave the races.
import { FAMILIES } from '../verbs/index.ts'
import { PRELUDE_PY } from './prelude.ts'

const LOOP_PY = String.raw`
def serve(req):
    del FDS[:]
    del NEW_MADE[:]
    try:
        f = OPS.get(req.get('op'))
        if f is None:
            raise Fail('EBADOP', None, 'unknown op')
        res = {'ok': True, 'value': f(req)}
    except Refused as e:
        res = {'ok': False, 'refused': str(e)}
    except Fail as e:
        res = {'ok': False, 'errno': e.code, 'where': e.where, 'detail': e.detail}
    except OSError as e:
        res = {'ok': False, 'errno': errname(e)}
    except Exception:
        traceback.print_exc(file=sys.stderr)
        res = {'ok': False, 'errno': 'EHELPER', 'detail': 'the host helper failed on this request (its traceback is in the run log)'}
    finally:
        for fd in FDS:
            try:
                os.close(fd)
            except OSError:
                pass
        os.chdir('/')
    res['id'] = req.get('id')
    if NEW_MADE:
        res['made'] = list(NEW_MADE)
    out = json.dumps(res).encode()
    if len(out) > MAX_ANSWER:
        out = json.dumps({'id': req.get('id'), 'ok': False, 'errno': 'E2BIG', 'detail': 'the answer would be larger than the bridge sends'}).encode()
    return out

os.chdir('/')
for line in sys.stdin.buffer:
    sys.stdout.buffer.write(serve(json.loads(line)) + b'\n')
    sys.stdout.buffer.flush()
`

export const HOST_HELPER_PY = [PRELUDE_PY, ...FAMILIES.map((f) => f.python), LOOP_PY].join('\n')
