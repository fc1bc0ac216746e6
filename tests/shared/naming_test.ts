/** Smart conversation names, exactly as the full Orvale plan (3.1.1) gives them. */
import assert from "node:assert/strict";
import { channelDisplayName, dmDisplayName, groupDisplayName } from "../../shared/naming.ts";
import type { UserSummary } from "../../realtime/protocol.ts";

const person = (id: number, displayName: string): UserSummary => ({
  id,
  username: displayName.split(" ")[0].toLowerCase(),
  displayName,
  avatarUrl: null,
});
const me = person(1, "John Doe");
const jane = person(2, "Jane Smith");
const bob = person(3, "Bob Wilson");
const boris = person(4, "Boris Chu");
const dana = person(5, "Dana Lee");
const eli = person(6, "Eli Park");

Deno.test("a DM shows only the other participant's name", () => {
  assert.equal(dmDisplayName([me, boris], me.id), "Boris Chu");
  assert.equal(dmDisplayName([boris, me], me.id), "Boris Chu");
  assert.equal(dmDisplayName([me, boris], boris.id), "John Doe");
  assert.doesNotMatch(dmDisplayName([me, boris], me.id), /John|&|DM/);
});

Deno.test("a group with two others is 'A & B'", () => {
  assert.equal(groupDisplayName([me, jane, bob], me.id), "Jane Smith & Bob Wilson");
});

Deno.test("a group with three others lists all three", () => {
  assert.equal(groupDisplayName([me, jane, bob, boris], me.id), "Jane Smith, Bob Wilson, Boris Chu");
});

Deno.test("a group with more than three others is 'A, B, Person N' with N = others - 1", () => {
  assert.equal(groupDisplayName([me, jane, bob, boris, dana], me.id), "Jane Smith, Bob Wilson, Person 3");
  assert.equal(
    groupDisplayName([me, jane, bob, boris, dana, eli], me.id),
    "Jane Smith, Bob Wilson, Person 4",
  );
});

Deno.test("a group with one other or nobody else falls back like the plan", () => {
  assert.equal(groupDisplayName([me, jane], me.id), "Jane Smith");
  assert.equal(groupDisplayName([me], me.id), "Group Chat");
});

Deno.test("channels are '# name'; DMs and groups use their rules", () => {
  assert.equal(channelDisplayName("public_channel", "general", [], me.id), "# general");
  assert.equal(channelDisplayName("private_channel", "dev-team", [], me.id), "# dev-team");
  assert.equal(channelDisplayName("direct_message", "", [me, boris], me.id), "Boris Chu");
  assert.equal(channelDisplayName("group", "", [me, jane, bob], me.id), "Jane Smith & Bob Wilson");
});
