// How a call moved an object's times, judged field by field in words a reader compares:
// "ctime advances" wanted, "ctime stays" found. Pure: times in (as the `times` op gives them,
// "SECONDS.NANOSECONDS"), verdicts out.

export const TIME_FIELDS = ['atime', 'mtime', 'ctime'] as const
export type TimeField = (typeof TIME_FIELDS)[number]
export type Times = Record<TimeField, string>

/** What a call must do to one time: leave it, move it forward, or set it to exactly this ("SECONDS.NANOSECONDS"). */
export type TimeWanted = 'stays' | 'advances' | string
/** Only the fields given are judged. */
export type TimesWanted = Partial<Record<TimeField, TimeWanted>>

export interface TimeVerdict {
  field: TimeField
  wanted: string
  found: string
}

const NS_PER_S = 1_000_000_000n

/** "SECONDS.NANOSECONDS" (fraction optional) as nanoseconds since the epoch; as a timespec, the fraction adds ("-1.999999999" is -1 ns). */
export function nanoseconds(time: string): bigint {
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(time)
  if (!m) throw new Error(`not a time: ${JSON.stringify(time)}`)
  return BigInt(m[1]!) * NS_PER_S + BigInt((m[2] ?? '').padEnd(9, '0'))
}

/** Each field wanted names, judged: a relative one by how it moved, an exact one by its value. */
export function judgeTimes(before: Times, after: Times, wanted: TimesWanted): TimeVerdict[] {
  return TIME_FIELDS.filter((f) => wanted[f] !== undefined).map((field) => {
    const w = wanted[field]!
    if (w === 'stays' || w === 'advances') {
      const d = nanoseconds(after[field]) - nanoseconds(before[field])
      return { field, wanted: w, found: d === 0n ? 'stays' : d > 0n ? 'advances' : 'goes back' }
    }
    return { field, wanted: w, found: nanoseconds(after[field]) === nanoseconds(w) ? w : after[field] }
  })
}

/** The raw values behind the verdicts, for a note: "ctime 1.000000001 -> 1.000000002". */
export function valuesText(before: Times, after: Times, wanted: TimesWanted): string {
  return TIME_FIELDS.filter((f) => wanted[f] !== undefined).map((f) => `${f} ${before[f]} -> ${after[f]}`).join(', ')
}
