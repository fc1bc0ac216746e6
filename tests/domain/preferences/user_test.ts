import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { fixture } from "../../helpers/fixture.ts";
import { refused } from "../../helpers/assert.ts";
import * as preferences from "../../../domain/preferences/user.ts";
import * as settings from "../../../domain/settings/workspace.ts";

dbTest("preferences: own choice, else the workspace default, else the built-in default", async (db) => {
  const f = await fixture(db);
  const alice = f.actor("alice");
  assert.equal((await preferences.mine(f.deps, alice)).preferences.theme, "auto");
  await settings.updateSettings(f.deps, f.actor("admin"), {
    "appearance.default_theme": "ocean",
    "appearance.default_timestamp_format": "absolute",
  });
  let p = (await preferences.mine(f.deps, alice)).preferences;
  assert.equal(p.theme, "ocean");
  assert.equal(p.tsFormat, "absolute");
  p = (await preferences.update(f.deps, alice, { theme: "dark", tsPosition: "below", sounds: false }))
    .preferences;
  assert.deepEqual([p.theme, p.tsFormat, p.tsPosition, p.sounds], ["dark", "absolute", "below", false]);
  // Stored per person: bob still follows the workspace.
  assert.equal((await preferences.mine(f.deps, f.actor("bob"))).preferences.theme, "ocean");
  // null follows the workspace default again.
  p = (await preferences.update(f.deps, alice, { theme: null })).preferences;
  assert.equal(p.theme, "ocean");
});

dbTest("preferences: the admin restricts the themes offered", async (db) => {
  const f = await fixture(db);
  const alice = f.actor("alice");
  await preferences.update(f.deps, alice, { theme: "sunset" });
  await settings.updateSettings(f.deps, f.actor("admin"), {
    "appearance.themes_offered": ["light", "dark"],
    "appearance.default_theme": "light",
  });
  const mine = await preferences.mine(f.deps, alice);
  assert.equal(mine.preferences.theme, "light"); // sunset was withdrawn
  assert.deepEqual(mine.allowed.theme, ["light", "dark"]);
  await refused(preferences.update(f.deps, alice, { theme: "sunset" }), 400, "invalid_input");
  assert.equal((await preferences.update(f.deps, alice, { theme: "dark" })).preferences.theme, "dark");
});

dbTest("preferences: bad input changes nothing; the change reaches only the person", async (db) => {
  const f = await fixture(db);
  const alice = f.actor("alice");
  for (
    const bad of [{ theme: "purple" }, { sounds: "yes" }, { nope: 1 }, {}, [], "x", { theme: "dark", x: 1 }]
  ) {
    await refused(preferences.update(f.deps, alice, bad), 400, "invalid_input");
  }
  assert.equal(f.published.length, 0);
  assert.equal((await preferences.mine(f.deps, alice)).preferences.theme, "auto");
  await preferences.update(f.deps, alice, { muteAll: true }, "conn-1");
  assert.equal(f.published.length, 1);
  const env = f.published[0];
  assert.deepEqual(env.audience, { kind: "users", userIds: [f.users.alice.id] });
  assert.equal(env.exceptConnection, "conn-1");
  assert.ok(env.event.type === "preferences_updated" && env.event.preferences.muteAll === true);
  // Eve (another workspace) sees her own preferences only.
  assert.equal((await preferences.mine(f.deps, f.actor("eve"))).preferences.muteAll, false);
});
