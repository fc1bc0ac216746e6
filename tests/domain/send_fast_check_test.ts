// The checks that skip zod for the common send (domain/send_fast_check.ts, realtime/server/frames.ts): where
// they take an input, the schema takes it too and gives the same output; where the schema refuses one, they
// leave it to the schema.
import assert from "node:assert/strict";
import { plainSend } from "../../domain/send_fast_check.ts";
import { sendSchema } from "../../domain/messages.ts";
import { parse } from "../../domain/validate.ts";
import { plainSendFrame, SCHEMAS } from "../../realtime/server/frames.ts";

const MAX = 20;
const base = { channelId: 7, clientId: "c-1", body: "hello" };
const variants: unknown[] = [
  base,
  { ...base, type: "text" },
  { ...base, type: "broadcast" },
  { ...base, type: "ticket_link" },
  { ...base, type: undefined },
  { ...base, type: "other" },
  { ...base, type: 1 },
  { ...base, channelId: 0 },
  { ...base, channelId: -3 },
  { ...base, channelId: 1.5 },
  { ...base, channelId: 2 ** 53 },
  { ...base, channelId: "7" },
  { ...base, channelId: NaN },
  { ...base, clientId: "" },
  { ...base, clientId: "x".repeat(64) },
  { ...base, clientId: "x".repeat(65) },
  { ...base, clientId: "a b" },
  { ...base, clientId: "é" },
  { ...base, clientId: "a:b.c_d-e" },
  { ...base, body: "" },
  { ...base, body: "   \n" },
  { ...base, body: "x".repeat(MAX) },
  { ...base, body: "x".repeat(MAX + 1) },
  { ...base, body: "a\u0000b" },
  { ...base, body: 5 },
  { ...base, body: " @someone " },
  { ...base, replyTo: null },
  { ...base, replyTo: 3 },
  { ...base, attachments: [] },
  { ...base, extra: 1 },
  { channelId: 7, clientId: "c-1" },
  Object.assign(Object.create({ inherited: 1 }), base),
  JSON.parse('{"channelId":7,"clientId":"c","body":"b","__proto__":{"x":1}}'),
  [base],
  null,
  "text",
];

const zodSend = (v: unknown) => {
  try {
    return { ok: parse(sendSchema(MAX), v) };
  } catch (e) {
    return { err: e };
  }
};

Deno.test("plainSend: the schema's output wherever it takes an input, and none where the schema refuses", () => {
  let taken = 0;
  for (const v of variants) {
    const fast = plainSend(v, MAX);
    const z = zodSend(v);
    if (fast) {
      taken++;
      assert.ok("ok" in z, `schema refuses what plainSend took: ${JSON.stringify(v)}`);
      assert.deepStrictEqual(fast, z.ok);
      assert.deepStrictEqual(Object.keys(fast), Object.keys(z.ok as object));
    }
  }
  assert.ok(taken >= 8, `plainSend took ${taken}`);
  assert.equal(
    plainSend({ ...base, replyTo: null }, MAX),
    null,
    "anything beyond the plain fields goes to zod",
  );
});

const frame = { id: "f1", action: "send_message", ...base };
const frames: Record<string, unknown>[] = [
  frame,
  { ...frame, type: "text" },
  { ...frame, type: "x".repeat(40) },
  { ...frame, type: "x".repeat(41) },
  { ...frame, id: "x".repeat(64) },
  { ...frame, id: "x".repeat(65) },
  { ...frame, id: 1 },
  { ...frame, id: "a\u0000" },
  { ...frame, channelId: -1 },
  { ...frame, channelId: 0.5 },
  { ...frame, clientId: "x".repeat(200) },
  { ...frame, clientId: "x".repeat(201) },
  { ...frame, body: "x".repeat(1_000_001) },
  { ...frame, body: "\u0000" },
  { ...frame, replyTo: 4 },
  { ...frame, more: true },
  JSON.parse('{"id":"f","action":"send_message","channelId":1,"clientId":"c","body":"b","__proto__":{}}'),
];

Deno.test("plainSendFrame: takes only send frames the frame schema takes unchanged", () => {
  let taken = 0;
  for (const f of frames) {
    let out: unknown = null, refused = false;
    try {
      out = parse(SCHEMAS.send_message, f);
    } catch {
      refused = true;
    }
    if (plainSendFrame(f)) {
      taken++;
      assert.ok(!refused, `schema refuses what plainSendFrame took: ${JSON.stringify(f)}`);
      assert.deepStrictEqual(out, { ...f });
    }
  }
  assert.ok(taken >= 5, `plainSendFrame took ${taken}`);
});
