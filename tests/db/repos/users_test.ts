/** Contract: db/repos/users.ts. */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import * as workspacesRepo from "../../../db/repos/workspaces.ts";
import * as usersRepo from "../../../db/repos/users.ts";
import type { Db } from "../../../db/client.ts";

async function two(db: Db) {
  const a = await workspacesRepo.insert(db, "a", "A");
  const b = await workspacesRepo.insert(db, "b", "B");
  const ann = await usersRepo.insert(db, {
    workspaceId: a.id,
    username: "Ann",
    displayName: "Ann Lee",
    email: "ann@x.example",
    permissions: ["chat.create_channels"],
    externalId: "ext-1",
  });
  const ben = await usersRepo.insert(db, { workspaceId: a.id, username: "ben_100%", displayName: "Ben" });
  const other = await usersRepo.insert(db, { workspaceId: b.id, username: "ann", displayName: "Other Ann" });
  return { a, b, ann, ben, other };
}

dbTest("insert returns the full row with defaults", async (db) => {
  const { a, ann, ben } = await two(db);
  assert.equal(ann.workspaceId, a.id);
  assert.deepEqual([ann.role, ann.status, ann.statusText, ann.deactivatedAt], ["member", "online", "", null]);
  assert.deepEqual(ann.permissions, ["chat.create_channels"]);
  assert.equal(ben.passwordHash, null);
  assert.match(ann.createdAt, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(usersRepo.summary(ann), {
    id: ann.id,
    username: "Ann",
    displayName: "Ann Lee",
    avatarUrl: null,
  });
});

dbTest("lookups never cross workspaces", async (db) => {
  const { a, b, ann, other } = await two(db);
  assert.equal((await usersRepo.byId(db, a.id, ann.id))?.id, ann.id);
  assert.equal(await usersRepo.byId(db, b.id, ann.id), null);
  assert.deepEqual((await usersRepo.byIds(db, a.id, [ann.id, other.id])).map((u) => u.id), [ann.id]);
  assert.deepEqual(await usersRepo.byIds(db, a.id, []), []);
  assert.equal((await usersRepo.byUsername(db, a.id, "ANN"))?.id, ann.id);
  assert.equal((await usersRepo.byUsername(db, b.id, "ann"))?.id, other.id);
  assert.equal((await usersRepo.byExternalId(db, a.id, "ext-1"))?.id, ann.id);
  assert.equal(await usersRepo.byExternalId(db, b.id, "ext-1"), null);
  await assert.rejects(usersRepo.insert(db, { workspaceId: a.id, username: "Ann", displayName: "Dup" }));
});

dbTest(
  "search matches names and email, escapes wildcards, skips deactivated, honours the limit",
  async (db) => {
    const { a, ann, ben } = await two(db);
    assert.deepEqual((await usersRepo.search(db, a.id, "lee", 10)).map((u) => u.id), [ann.id]);
    assert.deepEqual((await usersRepo.search(db, a.id, "x.example", 10)).map((u) => u.id), [ann.id]);
    assert.deepEqual((await usersRepo.search(db, a.id, "100%", 10)).map((u) => u.id), [ben.id]);
    assert.deepEqual(await usersRepo.search(db, a.id, "b_n", 10), []); // "_" is no wildcard
    assert.equal((await usersRepo.search(db, a.id, "", 1)).length, 1);
    await usersRepo.setDeactivated(db, ben.id, true);
    assert.deepEqual((await usersRepo.search(db, a.id, "", 10)).map((u) => u.id), [ann.id]);
    assert.ok((await usersRepo.byId(db, a.id, ben.id))?.deactivatedAt);
    await usersRepo.setDeactivated(db, ben.id, false);
    assert.equal((await usersRepo.byId(db, a.id, ben.id))?.deactivatedAt, null);
  },
);

dbTest("profile and status updates change only what is given", async (db) => {
  const { a, ann } = await two(db);
  await usersRepo.updateProfile(db, ann.id, { displayName: "Ann Smith", role: "moderator" });
  await usersRepo.updateStatus(db, ann.id, { status: "busy", statusText: "Heads down" });
  await usersRepo.updateStatus(db, ann.id, { awayMessage: "Back soon" });
  const u = (await usersRepo.byId(db, a.id, ann.id))!;
  assert.deepEqual(
    [u.displayName, u.role, u.email, u.status, u.statusText, u.awayMessage],
    ["Ann Smith", "moderator", "ann@x.example", "busy", "Heads down", "Back soon"],
  );
  await assert.rejects(usersRepo.updateStatus(db, ann.id, { status: "asleep" as never }));
});
