/**
 * The outbox's retries (realtime/client/outbox.ts): a send the server did not answer in time is sent again
 * with the same key while the socket stays open, instead of waiting for the next reconnect; a refusal is not.
 */
import assert from "node:assert/strict";
import type { Message } from "../../../realtime/protocol.ts";
import { Outbox, type OutboxItem } from "../../../realtime/client/outbox.ts";
import { ApiError } from "../../../realtime/client/rest.ts";
import { MemoryStorage, waitFor } from "../../helpers/wait.ts";

const stored = (item: OutboxItem) =>
  ({ id: 1, channelId: item.channelId, body: item.body }) as unknown as Message;

Deno.test("outbox: a send that timed out on an open socket is retried with the same key", async () => {
  const box = new Outbox(new MemoryStorage());
  box.load(7);
  const clientId = box.add(3, "hello", null);
  const keys: string[] = [];
  const got: Message[] = [];
  box.flush(
    (item) => {
      keys.push(item.clientId);
      return keys.length === 1
        ? Promise.reject(new ApiError("timeout", "No answer from the server", 0))
        : Promise.resolve(stored(item));
    },
    (m) => got.push(m),
  );
  await waitFor(() => keys.length === 1 && box.items.value[0]?.state === "pending", "first try failed");
  await waitFor(() => got.length === 1, "retried and stored", 5_000);
  assert.deepEqual(keys, [clientId, clientId]);
  assert.equal(box.items.value.length, 0);
});

Deno.test("outbox: a refusal is marked failed and not retried; offline waits for the reconnect", async () => {
  const box = new Outbox(new MemoryStorage());
  box.load(7);
  box.add(3, "refused", null);
  box.add(3, "offline", null);
  let calls = 0;
  box.flush((item) => {
    calls++;
    return Promise.reject(
      item.body === "refused"
        ? new ApiError("forbidden", "Not allowed here", 403)
        : new ApiError("offline", "x", 0),
    );
  }, () => {});
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(calls, 2);
  assert.deepEqual(box.items.value.map((i) => [i.body, i.state]), [["refused", "failed"], [
    "offline",
    "pending",
  ]]);
});
