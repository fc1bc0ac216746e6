/** Reactions accept one emoji or a :shortcode: and nothing else (issue 9, item 16). */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { fixture } from "../helpers/fixture.ts";
import { refused } from "../helpers/assert.ts";
import * as channels from "../../domain/channels.ts";
import * as messages from "../../domain/messages.ts";

dbTest(
  "a reaction is one emoji grapheme or a :shortcode:; text and control characters are refused",
  async (db) => {
    const f = await fixture(db);
    const ch = await channels.create(f.deps, f.actor("mod"), {
      name: "general",
      memberIds: [f.users.alice.id, f.users.bob.id],
    });
    const { message } = await messages.send(f.deps, f.actor("alice"), {
      channelId: ch.id,
      clientId: "a1",
      body: "react to me",
    });
    const bob = f.actor("bob");
    const good = ["👍", "👍🏽", "👨‍👩‍👧", "❤️", "🇫🇷", "1️⃣", ":tada:", ":+1:", ":white_check_mark:"];
    for (const emoji of good) await messages.react(f.deps, bob, message.id, { emoji }, true);
    const bad = [
      "\u202Eevil", // right-to-left override
      "👍\u202E",
      "\u2066👍",
      "👍\u200B", // zero-width space
      "👍👍", // two graphemes
      "ok",
      "a",
      "<b>",
      ":not a code:",
      "::",
      ":UPPER:",
      " 👍",
      "x".repeat(64),
    ];
    for (const emoji of bad) {
      await refused(messages.react(f.deps, bob, message.id, { emoji }, true), 400, "invalid_input");
    }
    const got = await messages.get(f.deps, bob, message.id);
    assert.deepEqual(got.reactions.map((r) => r.emoji), good);
  },
);
