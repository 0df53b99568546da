// Locks: what databases, package managers and build tools rely on. fcntl (POSIX), OFD and
// flock locks between two guest processes, who owns a lock and when it goes away, and SQLite
// as applications use it. Each aspect is a file. Every check runs on all mounts at once (their
// lock calls queue in the two guest processes instead of each waiting a round trip).
import { checksAtOnce } from '../../agent/check-api.ts'
import { betweenProcesses } from './between-processes.ts'
import { holderDies } from './holder-dies.ts'
import { hostHeld } from './host-held.ts'
import { sqlite } from './sqlite.ts'

export default checksAtOnce('locks', 'Locks: fcntl, OFD and flock between guest processes (and the host), a dying holder, SQLite with two writers', [
  ...betweenProcesses,
  ...holderDies,
  ...hostHeld,
  ...sqlite,
])
