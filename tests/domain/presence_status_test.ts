/** Defect 11: a status set over REST is announced like one set over the socket (one domain function). */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { waitFor } from "../helpers/wait.ts";
import { httpFixture } from "../routes/http.ts";
import * as presence from "../../domain/presence.ts";
import type { PresenceInfo } from "../../realtime/protocol.ts";

const announced = (h: Awaited<ReturnType<typeof httpFixture>>, userId: number) =>
  h.f.published.flatMap((e) =>
    e.event.type === "presence_updated" ? e.event.users.filter((u: PresenceInfo) => u.userId === userId) : []
  );

dbTest("PUT /api/chat/me/status announces to the person's followers, like update_presence", async (db) => {
  const h = await httpFixture(db);
  const alice = h.f.users.alice.id;
  const r = await h.call("PUT", "/api/chat/me/status", {
    as: "alice",
    body: { status: "busy", statusText: "Focus", awayMessage: "" },
  });
  assert.equal(r.status, 200, r.text);
  await waitFor(() => announced(h, alice).length > 0, "the announcement", 3000);
  const env = h.f.published.find((e) => e.event.type === "presence_updated")!;
  // The hub splits it among the sockets that follow alice (tests/realtime/server/presence_sub_test.ts).
  assert.deepEqual([env.audience, env.workspaceId], [{ kind: "presence_subscribers" }, h.f.ws]);
  const [p] = announced(h, alice);
  assert.deepEqual([p.statusText], ["Focus"]); // offline (no socket), but the text is news to everyone
  // Refused input announces nothing.
  const n = h.f.published.length;
  assert.equal(
    (await h.call("PUT", "/api/chat/me/status", { as: "alice", body: { status: "gone" } })).status,
    400,
  );
  await new Promise((r) => setTimeout(r, presence.ANNOUNCE_WINDOW_MS * 2));
  assert.equal(h.f.published.length, n);
});
