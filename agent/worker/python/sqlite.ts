// SQLite as applications use it (python3's sqlite3): a connection per guest process, busy
// timeout 0 so a lock held elsewhere is an answer (EBUSY), not a wait. SQLite's own error codes
// become errno names: BUSY/LOCKED -> EBUSY, IOERR* -> EIO, CORRUPT/NOTADB -> EUCLEAN, else EPROTO;
// the message keeps SQLite's code and text.
export const sqlitePy = String.raw`
SQL_CONNS = {}
SQL_ERRNOS = {'SQLITE_BUSY': errno.EBUSY, 'SQLITE_LOCKED': errno.EBUSY, 'SQLITE_IOERR': errno.EIO, 'SQLITE_CORRUPT': errno.EUCLEAN, 'SQLITE_NOTADB': errno.EUCLEAN}
SQL_MESSAGES = [('locked', 'SQLITE_BUSY'), ('disk I/O error', 'SQLITE_IOERR'), ('malformed', 'SQLITE_CORRUPT'), ('not a database', 'SQLITE_NOTADB')]
def sql_call(f):
    import sqlite3
    try: return f()
    except sqlite3.Error as e:
        # sqlite_errorname: python >= 3.11; before, the code is read from the message
        code = getattr(e, 'sqlite_errorname', None) or next((c for text, c in SQL_MESSAGES if text in str(e)), 'SQLITE_ERROR')
        raise OSError(SQL_ERRNOS.get('_'.join(code.split('_')[:2]), errno.EPROTO), '%s: %s' % (code, e))
@op('sql-version')
def _(a):
    import sqlite3
    return sqlite3.sqlite_version
@op('sql-open')
def _(a):
    import sqlite3
    handle = max(SQL_CONNS, default=0) + 1
    SQL_CONNS[handle] = sql_call(lambda: sqlite3.connect(a[0], timeout=0, isolation_level=None))
    return handle
@op('sql')
def _(a):
    # The rows as text: columns joined by ',', rows by ';'.
    rows = sql_call(lambda: SQL_CONNS[a[0]].execute(a[1]).fetchall())
    return ';'.join(','.join(str(c) for c in row) for row in rows)
@op('sql-close')
def _(a): SQL_CONNS.pop(a[0]).close()
`
