/**
 * Malformed frames (issue 9, item 14): a frame whose envelope or fields have the wrong type gets a clean
 * `bad_frame` or `invalid_input`, never `internal`, and changes nothing. The gateway checks the whole frame
 * with zod (realtime/server/frames.ts) before any handler runs.
 */
import assert from "node:assert/strict";
import * as channels from "../../../domain/channels.ts";
import { serverTest, until, WsClient } from "../helpers.ts";

serverTest(
  "frames with wrongly typed envelopes or fields get bad_frame or invalid_input, never internal",
  async (t) => {
    const { f } = t;
    const ch = await channels.create(f.deps, f.actor("mod"), {
      name: "general",
      memberIds: [f.users.alice.id],
    });
    const c = await WsClient.open(t.url, await t.token("alice"));
    const answer = async (frame: string) => {
      const n = c.of("error").length + c.of("ack").length;
      c.send(frame);
      await until("an answer", () => c.of("error").length + c.of("ack").length > n);
      return [...c.of("error"), ...c.of("ack")].at(-1)!;
    };
    const cases: [string, string][] = [
      ['{"id":"a","action":{"toString":1}}', "bad_frame"],
      ['{"id":"a","action":["send_message"]}', "bad_frame"],
      ['{"id":"a","action":7}', "bad_frame"],
      ['{"id":"a","action":"__proto__"}', "unknown_action"],
      ['{"id":"a","action":"hasOwnProperty"}', "unknown_action"],
      [
        `{"id":"a","action":"send_message","channelId":{"valueOf":1},"clientId":"k","body":"x"}`,
        "invalid_input",
      ],
      [
        `{"id":"a","action":"send_message","channelId":${ch.id},"clientId":{"toString":1},"body":"x"}`,
        "invalid_input",
      ],
      [
        `{"id":"a","action":"send_message","channelId":${ch.id},"clientId":"k","body":{"length":1}}`,
        "invalid_input",
      ],
      [
        `{"id":"a","action":"send_message","channelId":${ch.id},"clientId":"k","body":["x"]}`,
        "invalid_input",
      ],
      [
        `{"id":"a","action":"send_message","channelId":${ch.id},"clientId":"k","body":"x","__proto__":{"a":1}}`,
        "invalid_input",
      ],
      ['{"id":"a","action":"edit_message","messageId":"1","body":"x"}', "invalid_input"],
      ['{"id":"a","action":"add_reaction","messageId":1,"emoji":{"toString":1}}', "invalid_input"],
      ['{"id":"a","action":"hello","channels":{"toString":1}}', "invalid_input"],
      ['{"id":"a","action":"hello","channels":[1,2]}', "invalid_input"],
      ['{"id":"a","action":"hello","page":{"slice":1}}', "invalid_input"],
      ['{"id":"a","action":"update_presence","page":{"slice":1}}', "invalid_input"],
      ['{"id":"a","action":"update_presence","status":{"x":1}}', "invalid_input"],
      ['{"id":"a","action":"typing_start","channelId":{"x":1}}', "invalid_input"],
      ['{"id":"a","action":"message_read","channelId":1,"seq":"5"}', "invalid_input"],
      ['{"id":"a","action":"replay","channelId":1,"afterSeq":1.5}', "invalid_input"],
      ['{"id":{"toString":1},"action":"ping"}', "bad_frame"],
    ];
    for (const [frame, code] of cases) {
      const a = await answer(frame);
      assert.equal(a.type, "error", `${frame} -> ${JSON.stringify(a)}`);
      assert.equal(a.error.code, code, `${frame} -> ${JSON.stringify(a.error)}`);
    }
    assert.equal(c.of("error").filter((e) => e.error.code === "internal").length, 0);
    // Nothing was stored, and the socket still works.
    const rows = await f.deps.db.query("SELECT 1 FROM messages");
    assert.equal(rows.length, 0);
    assert.equal((await c.request("ping")).type, "ack");
    c.close();
  },
);
