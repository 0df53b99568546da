// Shared writable mappings: write through one, or keep one open and read through it later.
export const mmapPy = String.raw`
import mmap
MAPS = {}
@op('mmap-write')
def _(a):
    data = a[1].encode()
    with open(a[0], 'r+b') as f:
        m = mmap.mmap(f.fileno(), len(data), mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        m[:len(data)] = data
        m.flush()
        m.close()
@op('mmap-open')
def _(a):
    f = open(a[0], 'r+b')
    m = mmap.mmap(f.fileno(), 0, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    v = len(MAPS) + 1
    MAPS[v] = (f, m)
    return v
@op('mmap-read')
def _(a): return MAPS[a[0]][1][:].decode(errors='replace')
@op('mmap-close')
def _(a):
    f, m = MAPS.pop(a[0])
    m.close()
    f.close()
`
