/**
 * A plain hello (what every connect sends) is checked by hand instead of by zod (`plainHello` in
 * realtime/server/frames.ts): whatever the hand check lets through, zod accepts too and returns the same
 * frame; whatever it does not, goes to zod and gets zod's answer.
 */
import assert from "node:assert/strict";
import { parseFrame, parseFrameWithZod, plainHello } from "../../../realtime/server/frames.ts";

const outcome = (f: (x: Record<string, unknown>) => unknown, frame: Record<string, unknown>) => {
  try {
    return { ok: f(frame) };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return { error: [err.code, err.message] };
  }
};

Deno.test("a hello checked by hand is exactly what zod would give; the rest gets zod's answer", () => {
  const many: Record<string, number> = {};
  for (let i = 1; i <= 5000; i++) many[String(i)] = i;
  const tooMany = { ...many, "5001": 1 };
  const plain = [
    '{"id":"h","action":"hello"}',
    '{"id":"h","action":"hello","channels":{}}',
    '{"id":"h","action":"hello","channels":{"12":40,"15":0},"page":"/chat/general","presenceSub":[3,4,5]}',
    '{"action":"hello","id":"x","presence":true,"presenceSub":[]}',
    '{"id":"h","action":"hello","presence":false,"channels":{"0":0,"1234567890123456":9007199254740991}}',
    '{"id":"h","action":"hello","page":""}',
    `{"id":"${"i".repeat(64)}","action":"hello","page":"${"p".repeat(2000)}"}`,
    '{"id":"h","action":"hello","presenceSub":[3,3,-1,0]}',
    '{"id":"h","action":"hello","channels":{"12":-0}}',
  ].map((t) => JSON.parse(t));
  plain.push({ id: "h", action: "hello", channels: many });
  const other = [
    '{"id":"h","action":"hello","extra":1}',
    '{"id":"h","action":"hello","__proto__":{"x":1}}',
    '{"id":"h","action":"hello","channels":{"__proto__":1}}',
    '{"id":"h","action":"hello","channels":[]}',
    '{"id":"h","action":"hello","channels":null}',
    '{"id":"h","action":"hello","channels":{"a":1}}',
    '{"id":"h","action":"hello","channels":{"12345678901234567":1}}',
    '{"id":"h","action":"hello","channels":{"012":1.5}}',
    '{"id":"h","action":"hello","channels":{"12":-1}}',
    '{"id":"h","action":"hello","channels":{"12":"3"}}',
    '{"id":"h","action":"hello","channels":{"12":9007199254740993}}',
    '{"id":"h","action":"hello","page":7}',
    '{"id":"h","action":"hello","page":null}',
    `{"id":"h","action":"hello","page":"${"p".repeat(2001)}"}`,
    '{"id":"h","action":"hello","page":"a\\u0000b"}',
    '{"id":"a\\u0000","action":"hello"}',
    `{"id":"${"i".repeat(65)}","action":"hello"}`,
    '{"id":7,"action":"hello"}',
    '{"action":"hello"}',
    '{"id":"h","action":"hello","presence":"yes"}',
    '{"id":"h","action":"hello","presenceSub":[1.5]}',
    '{"id":"h","action":"hello","presenceSub":["1"]}',
    '{"id":"h","action":"hello","presenceSub":{"0":1}}',
  ].map((t) => JSON.parse(t));
  other.push({ id: "h", action: "hello", channels: tooMany });
  other.push({ id: "h", action: "hello", channels: Object.create({ 12: 1 }) });
  for (const frame of plain) {
    assert.ok(plainHello(frame), JSON.stringify(frame).slice(0, 200));
    const zod = outcome(parseFrameWithZod, frame);
    assert.ok("ok" in zod, `zod refused ${JSON.stringify(frame).slice(0, 200)}`);
    assert.deepEqual(outcome(parseFrame, frame), zod);
  }
  for (const frame of other) {
    assert.ok(!plainHello(frame), JSON.stringify(frame).slice(0, 200));
    assert.deepEqual(outcome(parseFrame, frame), outcome(parseFrameWithZod, frame));
  }
});
