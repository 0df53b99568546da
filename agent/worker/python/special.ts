// Special files Node can't make: fifos and device nodes.
export const specialPy = String.raw`
@op('mkfifo')
def _(a): os.mkfifo(a[0], a[1])
@op('mknod')
def _(a): os.mknod(a[0], a[1] | (0o020000 if a[2] == 'c' else 0o060000), os.makedev(a[3], a[4]))
`
