/** db/timestamps.ts: every text form Postgres gives comes out as `Date` would make it. */
import assert from "node:assert/strict";
import { timestampToIso } from "../../db/timestamps.ts";

Deno.test("UTC timestamps with 0 to 6 fraction digits, and every other form, come out as Date makes them", () => {
  const forms = [
    "2026-12-02 10:02:03+00",
    "2026-12-02 10:02:03.5+00",
    "2026-12-02 10:02:03.12+00",
    "2026-12-02 10:02:03.123+00",
    "2026-12-02 10:02:03.1239+00",
    "2026-12-02 10:02:03.999999+00",
    "1999-01-01 00:00:00.000001+00",
    "2026-12-02 11:02:03.123456+01", // another zone
    "2026-12-02 10:02:03.123456-03:30",
    "2026-12-02 10:02:03.123456", // timestamp without time zone
    "2026-12-02", // date
  ];
  for (const text of forms) assert.equal(timestampToIso(text), new Date(text).toISOString(), text);
  assert.equal(timestampToIso("2026-12-02 10:02:03.999999+00"), "2026-12-02T10:02:03.999Z");
  assert.throws(() => timestampToIso("infinity"), RangeError, "as Date: no ISO form");
});
