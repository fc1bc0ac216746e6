/** Contract: db/repos/login_attempts.ts (attempts counted per key, reset by a success, pruned by age). */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import * as attemptsRepo from "../../../db/repos/login_attempts.ts";

dbTest("attempts count per key within the window; a success resets its key only", async (db) => {
  const now = new Date();
  const since = new Date(now.getTime() - 60_000);
  await attemptsRepo.insert(db, ["a", "ip"], now);
  await attemptsRepo.insert(db, ["a"], now);
  const byKey = async (keys: string[], from = since) =>
    Object.fromEntries((await attemptsRepo.counts(db, keys, from)).map((c) => [c.key, c.count]));
  assert.deepEqual(await byKey(["a", "ip", "none"]), { a: 2, ip: 1, none: 0 });
  assert.deepEqual(await byKey(["a"], new Date(now.getTime() + 1000)), { a: 0 });
  const [ok] = await attemptsRepo.insert(db, ["a"], now);
  assert.deepEqual(await byKey(["a"]), { a: 3 });
  await attemptsRepo.succeed(db, [ok]);
  assert.deepEqual(await byKey(["a", "ip"]), { a: 0, ip: 1 });
  assert.equal(await attemptsRepo.succeededSince(db, "a", since), true);
  assert.equal(await attemptsRepo.succeededSince(db, "ip", since), false);
  await attemptsRepo.insert(db, ["a"], now);
  assert.deepEqual(await byKey(["a"]), { a: 1 });
  const [old] = await attemptsRepo.insert(db, ["ip"], new Date(now.getTime() - 3_600_000));
  await attemptsRepo.prune(db, ["ip"], since);
  assert.equal((await db.query("SELECT 1 FROM login_failures WHERE id = $1", [old])).length, 0);
  assert.deepEqual(await byKey(["ip"]), { ip: 1 });
  await attemptsRepo.remove(db, [ok]);
  assert.equal(await attemptsRepo.succeededSince(db, "a", since), false);
});
