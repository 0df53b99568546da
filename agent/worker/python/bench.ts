// The bench suite's xattr workload: set then get an xattr on each path (never following a
// symlink), each call timed here, so the helper's pipe is not part of the figures.
export const benchPy = String.raw`
@op('bench-xattr')
def _(a):
    lat, t0 = [], time.perf_counter()
    for p in a[0]:
        t = time.perf_counter()
        os.setxattr(p, a[1], bytes.fromhex(a[2]), 0, follow_symlinks=False)
        lat.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        os.getxattr(p, a[1], follow_symlinks=False)
        lat.append((time.perf_counter() - t) * 1000)
    return {'totalMs': (time.perf_counter() - t0) * 1000, 'latenciesMs': lat}
`
