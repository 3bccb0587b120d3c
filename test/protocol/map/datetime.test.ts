/**
 * MAP date-times: parsing with and without an offset, every range check
 * (leap years included), formatting, epoch conversion both ways, and
 * fast-check round trips plus "any text => a value or map.bad-datetime".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  daysInMonth,
  formatMapDateTime,
  isMapError,
  mapDateTimeFromDate,
  mapDateTimeToEpochMs,
  MapErrorCode,
  parseMapDateTime,
} from '../../../src/protocol/map';
import { mapDateTimeArb } from '../../../src/harness/fuzz/map-arbitraries';
import { assertMapError } from './fixtures';

test('parses YYYYMMDDTHHMMSS with and without an offset', () => {
  assert.deepEqual(parseMapDateTime('20190101T121314'), { year: 2019, month: 1, day: 1, hour: 12, minute: 13, second: 14 });
  assert.deepEqual(parseMapDateTime('20190101T121314+0130'), { year: 2019, month: 1, day: 1, hour: 12, minute: 13, second: 14, offsetMinutes: 90 });
  assert.deepEqual(parseMapDateTime('20191231T235959-1200').offsetMinutes, -720);
  assert.deepEqual(parseMapDateTime('20191231T235959-0000').offsetMinutes, 0);
  assert.equal(Object.is(parseMapDateTime('20191231T235959-0000').offsetMinutes, -0), false);
});

test('the android vectors: +0130 and -0130 give the documented instants', () => {
  assert.equal(mapDateTimeToEpochMs(parseMapDateTime('20190101T121314+0130')), 1546339394000);
  assert.equal(mapDateTimeToEpochMs(parseMapDateTime('20190101T121314-0130')), 1546350194000);
  assertMapError(() => parseMapDateTime('20190101T121314-99999'), MapErrorCode.BadDateTime, 20);
  assertMapError(() => parseMapDateTime('20190101Q121314'), MapErrorCode.BadDateTime, 8);
});

test('range checks: month, day of month (leap years), hour, minute, second, offset', () => {
  const bad: Array<[string, number]> = [
    ['20191301T000000', 4],
    ['20190001T000000', 4],
    ['20190100T000000', 6],
    ['20190132T000000', 6],
    ['20190431T000000', 6],
    ['20190229T000000', 6],
    ['19000229T000000', 6],
    ['20190101T240000', 9],
    ['20190101T236000', 11],
    ['20190101T235960', 13],
    ['20190101T000000+1500', 16],
    ['20190101T000000+0060', 18],
    ['', 0],
    ['2019', 4],
    ['20190101T000000Z', 15],
    ['20190101T000000+01', 18],
    ['20190101 000000', 8],
    ['２０１９0101T000000', 0],
  ];
  for (const [input, offset] of bad) assertMapError(() => parseMapDateTime(input), MapErrorCode.BadDateTime, offset, input);
  assert.equal(parseMapDateTime('20240229T000000').day, 29);
  assert.equal(parseMapDateTime('20000229T000000').day, 29);
  assert.equal(parseMapDateTime('20190101T000000+1459').offsetMinutes, 899);
  assert.equal(daysInMonth(2100, 2), 28);
  assert.equal(daysInMonth(2024, 2), 29);
  assert.equal(daysInMonth(2023, 11), 30);
});

test('formats with zero padding and the offset sign; refuses out-of-range fields', () => {
  assert.equal(formatMapDateTime({ year: 5, month: 2, day: 3, hour: 4, minute: 5, second: 6 }), '00050203T040506');
  assert.equal(formatMapDateTime({ year: 2019, month: 1, day: 1, hour: 12, minute: 13, second: 14, offsetMinutes: -90 }), '20190101T121314-0130');
  assert.equal(formatMapDateTime({ year: 2019, month: 1, day: 1, hour: 0, minute: 0, second: 0, offsetMinutes: 0 }), '20190101T000000+0000');
  assertMapError(() => formatMapDateTime({ year: 2019, month: 2, day: 29, hour: 0, minute: 0, second: 0 }), MapErrorCode.BadValue);
  assertMapError(() => formatMapDateTime({ year: 2019, month: 1, day: 1, hour: 0, minute: 0, second: 0, offsetMinutes: 900 }), MapErrorCode.BadValue);
  assertMapError(() => formatMapDateTime({ year: 10000, month: 1, day: 1, hour: 0, minute: 0, second: 0 }), MapErrorCode.BadValue);
});

test('from a Date: UTC fields without a zone, or local fields with the offset recorded', () => {
  const date = new Date(Date.UTC(2019, 0, 1, 10, 43, 14, 999));
  assert.deepEqual(mapDateTimeFromDate(date), { year: 2019, month: 1, day: 1, hour: 10, minute: 43, second: 14 });
  assert.equal(formatMapDateTime(mapDateTimeFromDate(date, 90)), '20190101T121314+0130');
  assert.equal(formatMapDateTime(mapDateTimeFromDate(date, -660)), '20181231T234314-1100');
  assertMapError(() => mapDateTimeFromDate(new Date(NaN)), MapErrorCode.BadValue, false);
  assertMapError(() => mapDateTimeFromDate(date, 15 * 60), MapErrorCode.BadValue);
  // Local time (no zone) is resolved by the caller's offset.
  assert.equal(mapDateTimeToEpochMs(mapDateTimeFromDate(date), 0), Date.UTC(2019, 0, 1, 10, 43, 14));
  // Year 99 is the year 99 (Date.UTC alone would read it as 1999).
  assert.equal(new Date(mapDateTimeToEpochMs(parseMapDateTime('00990101T000000'))).toISOString(), '0099-01-01T00:00:00.000Z');
});

test('property: parse(format(dt)) is dt; epoch and back through a Date is dt', () => {
  fc.assert(
    fc.property(mapDateTimeArb, (dt) => {
      assert.deepEqual(parseMapDateTime(formatMapDateTime(dt)), dt);
      const ms = mapDateTimeToEpochMs(dt);
      const back = mapDateTimeFromDate(new Date(ms), dt.offsetMinutes);
      assert.deepEqual(back, dt);
    }),
    { numRuns: 1000 },
  );
});

test('property: any text gives a date-time or map.bad-datetime', () => {
  const near = fc.tuple(fc.stringMatching(/^[0-9]{8}T[0-9]{6}([+-][0-9]{4})?$/), fc.nat(20), fc.string({ maxLength: 2 })).map(([s, at, ins]) => s.slice(0, at) + ins + s.slice(at));
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 25 }), near), (input) => {
      try {
        const dt = parseMapDateTime(input);
        assert.equal(formatMapDateTime(dt).slice(0, 15), input.slice(0, 15));
      } catch (err) {
        if (!isMapError(err, MapErrorCode.BadDateTime)) throw err;
      }
    }),
    { numRuns: 1000 },
  );
});
