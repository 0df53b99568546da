// Every suite the agent knows, in the order they run. Shared suites (one window over every
// mount at once) run before the per-mount ones.
import type { AnySuite } from './check-api.ts'
import bench from '../suites/bench/index.ts'
import chown from '../suites/chown/index.ts'
import coherence from '../suites/coherence/index.ts'
import dirs from '../suites/dirs/index.ts'
import hostSide from '../suites/host-side/index.ts'
import locks from '../suites/locks/index.ts'
import migrate from '../suites/migrate/index.ts'
import modes from '../suites/modes/index.ts'
import names from '../suites/names/index.ts'
import readOnly from '../suites/read-only/index.ts'
import openFiles from '../suites/open-files/index.ts'
import space from '../suites/space/index.ts'
import symlink from '../suites/symlink/index.ts'
import times from '../suites/times/index.ts'
import xattr from '../suites/xattr/index.ts'

export const SUITES: readonly AnySuite[] = [chown, symlink, xattr, modes, times, hostSide, locks, openFiles, space, names, dirs, readOnly, coherence, migrate, bench]
