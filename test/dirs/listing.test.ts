// Judging a big dir's listing (dirs suite): exact means every entry once, none missing, nothing
// unknown; entries added meanwhile may show or not, but never twice. Each way to fail is caught.
import t from 'tap'
import { judgeListing, wantedListing } from '../../suites/dirs/listing.ts'

const expected = ['a', 'b', 'c', 'd']

t.test('an exact listing, in any order, is ok', async (t) => {
  t.match(judgeListing(['d', 'b', 'a', 'c'], expected), { ok: true, summary: wantedListing(4), missing: [], twice: [], unknown: [] })
})

t.test('missing, twice and unknown entries each fail it, and are named', async (t) => {
  t.match(judgeListing(['a', 'b', 'c'], expected), { ok: false, missing: ['d'], summary: '3 entries read: 1 missing, 0 twice, 0 unknown' })
  t.match(judgeListing(['a', 'b', 'c', 'd', 'b'], expected), { ok: false, twice: ['b'], summary: '5 entries read: 0 missing, 1 twice, 0 unknown' })
  t.match(judgeListing(['a', 'b', 'c', 'd', 'zz'], expected), { ok: false, unknown: ['zz'] })
  t.equal(judgeListing([], Array.from({ length: 20 }, (_, i) => `e${i}`)).missing.length, 5, 'a few named, not all')
})

t.test('entries added while reading may show or not, but at most once', async (t) => {
  t.match(judgeListing(['a', 'b', 'c', 'd'], expected, ['x', 'y']), { ok: true, optionalSeen: 0, summary: '4 entries read: 0 missing, 0 twice, 0 unknown, 0 of 2 added meanwhile' })
  t.match(judgeListing(['a', 'x', 'b', 'c', 'd', 'y'], expected, ['x', 'y']), { ok: true, optionalSeen: 2 })
  t.match(judgeListing(['a', 'x', 'b', 'c', 'd', 'x'], expected, ['x', 'y']), { ok: false, twice: ['x'] }, 'an added entry twice is a duplicate')
  t.match(judgeListing(['a', 'x', 'b', 'c'], expected, ['x']), { ok: false, missing: ['d'] }, 'an added entry does not excuse a missing one')
})
