import assert from "node:assert/strict";
import { fmtAge, fmtDay, fmtNumber, setLocale, t } from "../../i18n/mod.ts";
import { en } from "../../i18n/en.ts";

Deno.test("i18n: placeholders and plurals", () => {
  setLocale("en");
  assert.equal(t("typing.two", { a: "Bob", b: "Carol" }), "Bob and Carol are typing…");
  assert.equal(t("sidebar.unread", { count: 1 }), "1 unread message");
  assert.equal(t("sidebar.unread", { count: 1200 }), "1,200 unread messages");
  assert.equal(t("msg.replies", { count: 0 }), "0 replies");
});

Deno.test("i18n: an unknown locale falls back to English; every value is a non-empty string", () => {
  setLocale("xx-YY");
  assert.equal(t("login.submit"), "Sign in");
  setLocale("en");
  for (const [k, v] of Object.entries(en)) assert.ok(typeof v === "string" && v.length > 0, k);
});

Deno.test("i18n: dates and numbers go through Intl", () => {
  const now = new Date("2026-03-10T15:00:00");
  assert.equal(fmtDay(new Date("2026-03-10T09:00:00"), now), "Today");
  assert.equal(fmtDay(new Date("2026-03-09T09:00:00"), now), "Yesterday");
  assert.match(fmtDay(new Date("2026-03-01T09:00:00"), now), /Sunday, March 1/);
  assert.equal(fmtAge(new Date("2026-03-10T14:58:00"), now), "2m");
  assert.equal(fmtAge(new Date("2026-03-10T10:00:00"), now), "5h");
  assert.equal(fmtNumber(12345), "12,345");
});
