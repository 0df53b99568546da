// sync(2), umount(2) and mount(2) without a process each (~0.1 s apiece under emulation).
export const mountPy = String.raw`
@op('sync')
def _(a): os.sync()
@op('umount')
def _(a): sysc(LIBC.umount2(a[0].encode(), 0))
@op('mount')
def _(a): sysc(LIBC.mount(a[0].encode(), a[1].encode(), a[2].encode(), ctypes.c_ulong(a[3]), a[4].encode() if a[4] else None))
`
