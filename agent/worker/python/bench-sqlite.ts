// The bench suite's sqlite workload: an app's database on the share, python3's sqlite3 module
// (SQLite's own unix VFS: its locks, its journal, its fsyncs), timed here. Rollback journal
// (journal_mode=DELETE, SQLite's default) and synchronous=FULL: every insert is a transaction
// whose commit writes and fsyncs the journal, writes and fsyncs the database, deletes the
// journal. The database and its journal are removed afterwards, untimed. Without the sqlite3
// module: {skip: why}.
export const benchSqlitePy = String.raw`
@op('bench-sqlite')
def _(a):
    path, inserts = a[0], int(a[1])
    try:
        import sqlite3
    except ImportError as e:
        return {'skip': 'python3 in the guest has no sqlite3 module (%s)' % e}
    from urllib.parse import quote
    lat, phases, t0 = [], {}, time.perf_counter()
    t = time.perf_counter()
    # nofollow=1: SQLite refuses a symlink for the database (3.31+; older versions ignore it).
    db = sqlite3.connect('file:%s?nofollow=1' % quote(path), uri=True, isolation_level=None)
    try:
        db.execute('PRAGMA journal_mode=DELETE')
        db.execute('PRAGMA synchronous=FULL')
        db.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, body BLOB)')
        lat.append((time.perf_counter() - t) * 1000)
        phases['open'] = lat[-1]
        t1 = time.perf_counter()
        body = b'x' * 200
        for i in range(inserts):
            t = time.perf_counter()
            db.execute('BEGIN')
            db.execute('INSERT INTO t (name, body) VALUES (?, ?)', ('row %d' % i, body))
            db.execute('COMMIT')
            lat.append((time.perf_counter() - t) * 1000)
        phases['inserts'] = (time.perf_counter() - t1) * 1000
        total = (time.perf_counter() - t0) * 1000
        if db.execute('SELECT count(*) FROM t').fetchone()[0] != inserts:
            raise OSError(errno.EIO, 'the table does not hold the %d rows inserted' % inserts)
    finally:
        db.close()
        for f in (path, path + '-journal'):
            try:
                os.unlink(f)
            except FileNotFoundError:
                pass
    return {'ops': inserts + 1, 'totalMs': total, 'latenciesMs': lat, 'phasesMs': phases}
`
