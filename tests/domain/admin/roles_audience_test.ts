/**
 * Custom roles in the permission checks done in SQL (who gets visitor queue and visitor monitor events):
 * a custom role's permissions count, the built-in defaults of its rank do not.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { fixture } from "../../helpers/fixture.ts";
import * as roles from "../../../domain/admin/roles.ts";
import { queueAudience, staffAudience } from "../../../domain/visitor/publish.ts";

const NO_IP = { ip: "" };

dbTest("visitor audiences follow custom roles, not their rank's defaults", async (db) => {
  const f = await fixture(db);
  const ids = async (a: Promise<{ kind: string; userIds?: number[] }>) => ((await a).userIds ?? []).sort();
  const admin = f.actor("admin");
  const agent = await roles.create(f.deps, admin, NO_IP, {
    name: "Agent",
    rank: "member",
    permissions: ["chat.access_channels", "chat.public_queue", "chat.public_monitor"],
  });
  const quiet = await roles.create(f.deps, admin, NO_IP, {
    name: "Quiet moderator",
    rank: "moderator",
    permissions: ["chat.access_channels"],
  });
  const before = await ids(queueAudience(db, f.ws));
  assert.ok(before.includes(f.users.mod.id) && !before.includes(f.users.alice.id));

  await roles.assign(f.deps, admin, NO_IP, agent.id, f.users.alice.id);
  await roles.assign(f.deps, admin, NO_IP, quiet.id, f.users.mod.id);
  const queue = await ids(queueAudience(db, f.ws));
  assert.ok(queue.includes(f.users.alice.id), "a member-ranked role with chat.public_queue answers visitors");
  assert.ok(!queue.includes(f.users.mod.id), "a moderator-ranked role without it does not");
  assert.ok(queue.includes(f.users.admin.id));
  const monitors = await ids(staffAudience(db, f.ws));
  assert.ok(monitors.includes(f.users.alice.id) && !monitors.includes(f.users.mod.id));
  assert.ok(!queue.includes(f.users.eve.id) && !monitors.includes(f.users.eve.id));
});
