/** Contract: db/repos/workspaces.ts. */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import * as workspacesRepo from "../../../db/repos/workspaces.ts";

dbTest("workspaces by slug and id; slugs are unique", async (db) => {
  const w = await workspacesRepo.insert(db, "acme", "Acme");
  assert.deepEqual(await workspacesRepo.bySlug(db, "acme"), w);
  assert.deepEqual(await workspacesRepo.byId(db, w.id), { id: w.id, slug: "acme", name: "Acme" });
  assert.equal(await workspacesRepo.bySlug(db, "nope"), null);
  assert.equal(await workspacesRepo.byId(db, 999), null);
  await assert.rejects(workspacesRepo.insert(db, "acme", "Again"));
});

dbTest("settings keep their JSON types, overwrite, and stay per workspace", async (db) => {
  const a = await workspacesRepo.insert(db, "a", "A");
  const b = await workspacesRepo.insert(db, "b", "B");
  const values = { n: 600, t: true, f: false, s: "600", o: { x: [1, "y"] }, z: null };
  for (const [k, v] of Object.entries(values)) await workspacesRepo.putSetting(db, a.id, k, v);
  assert.deepEqual(await workspacesRepo.settings(db, a.id), values);
  await workspacesRepo.putSetting(db, a.id, "n", 60);
  assert.equal((await workspacesRepo.settings(db, a.id)).n, 60);
  assert.deepEqual(await workspacesRepo.settings(db, b.id), {});
  const types = await db.query<{ t: string }>(
    "SELECT jsonb_typeof(value) AS t FROM workspace_settings WHERE key = 'n'",
  );
  assert.equal(types[0].t, "number");
});
