// SQLite as applications use it: two guest processes write one database, each in its own
// connection; while one holds a write transaction (it makes the table and a row) the other can't
// start one (SQLITE_BUSY), then both commits are there and PRAGMA integrity_check says ok. With a rollback journal, and WAL
// (which also maps the -shm file shared and writable).
import type { CheckContext, CheckSpec } from '../../agent/check-api.ts'
import { A, B, inTwoProcesses } from './processes.ts'

async function twoWriters(x: CheckContext, journalMode: 'delete' | 'wal'): Promise<void> {
  await inTwoProcesses(x, async (p) => {
    const version = await x.attempt('sqlite-version', A)
    if (!version.ok) x.skip(`python3 in the guest has no sqlite3 module (${version.errno})`)
    const db = x.path('app.db')
    const ca = await p.sqlite(A, db)
    await x.expect(journalMode, 'sqlite', A, ca, `PRAGMA journal_mode=${journalMode}`)
    // Locking and integrity are the question, not durability: no fsync (on a share each is a
    // flush of the host's disk, which costs more than everything else here). Per connection.
    await x.setup('sqlite', A, ca, 'PRAGMA synchronous=OFF')
    const cb = await p.sqlite(B, db)
    await x.setup('sqlite', B, cb, 'PRAGMA synchronous=OFF')
    await x.expect(0, 'sqlite', A, ca, 'BEGIN IMMEDIATE')
    await x.expect(0, 'sqlite', A, ca, 'CREATE TABLE t(x)')
    await x.expect(0, 'sqlite', A, ca, "INSERT INTO t VALUES ('a1')")
    await x.expect('EBUSY', 'sqlite', B, cb, 'BEGIN IMMEDIATE')
    await x.expect(0, 'sqlite', A, ca, 'COMMIT')
    await x.expect(0, 'sqlite', B, cb, "INSERT INTO t VALUES ('b1')")
    await x.expect('a1;b1', 'sqlite', A, ca, 'SELECT x FROM t ORDER BY x')
    await x.expect('ok', 'sqlite', B, cb, 'PRAGMA integrity_check')
  })
}

export const sqlite: CheckSpec[] = [
  {
    id: 'locks/sqlite/rollback-journal',
    title: "SQLite, rollback journal: two processes' writes to one database exclude each other (SQLITE_BUSY), both land, integrity_check ok",
    needs: ['python3'],
    run: (x) => twoWriters(x, 'delete'),
  },
  {
    id: 'locks/sqlite/wal',
    title: "SQLite, WAL: two processes' writes to one database exclude each other (SQLITE_BUSY), both land, integrity_check ok",
    needs: ['python3'],
    run: (x) => twoWriters(x, 'wal'),
  },
]
