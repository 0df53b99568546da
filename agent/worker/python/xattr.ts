// Extended attributes (python3's os.*xattr): values travel as hex.
export const xattrPy = String.raw`
XATTR_FLAGS = {'create': os.XATTR_CREATE, 'replace': os.XATTR_REPLACE}
@op('getxattr')
def _(a): return os.getxattr(a[0], a[1]).hex()
@op('setxattr')
def _(a): os.setxattr(a[0], a[1], bytes.fromhex(a[2]), XATTR_FLAGS.get(a[3], 0))
@op('listxattr')
def _(a): return sorted(os.listxattr(a[0]))
@op('removexattr')
def _(a): os.removexattr(a[0], a[1])
`
