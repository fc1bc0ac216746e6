import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { fixture } from "../../helpers/fixture.ts";
import { refused } from "../../helpers/assert.ts";
import * as workspacesRepo from "../../../db/repos/workspaces.ts";
import * as settings from "../../../domain/settings/workspace.ts";

dbTest(
  "readers get defaults, valid stored values, and never a value stored under older rules",
  async (db) => {
    const f = await fixture(db);
    const v = await settings.readSettings(db, f.ws);
    assert.equal(v["widget.shape"], "round");
    assert.equal(v["messages.edit_window_seconds"], 180);
    await workspacesRepo.putSetting(db, f.ws, "widget.shape", "rounded_square");
    await workspacesRepo.putSetting(db, f.ws, "widget.position", "middle"); // not a position
    const after = await settings.readSettings(db, f.ws);
    assert.equal(after["widget.shape"], "rounded_square");
    assert.equal(after["widget.position"], "bottom-right");
    assert.equal((await settings.readSettings(db, f.otherWs))["widget.shape"], "round");
  },
);

dbTest("update: validated per key, all or nothing, each key by its own permission", async (db) => {
  const f = await fixture(db);
  const admin = f.actor("admin");
  await refused(
    settings.updateSettings(f.deps, admin, { "widget.primary_color": "red" }),
    400,
    "invalid_input",
  );
  await refused(settings.updateSettings(f.deps, admin, { "no.such": 1 }), 400, "invalid_input");
  await refused(settings.updateSettings(f.deps, admin, {}), 400, "invalid_input");
  await refused(settings.updateSettings(f.deps, admin, "x"), 400, "invalid_input");
  // A member may change nothing; a moderator lacks both permissions.
  await refused(
    settings.updateSettings(f.deps, f.actor("alice"), { "widget.shape": "pill" }),
    403,
    "forbidden",
  );
  await refused(
    settings.updateSettings(f.deps, f.actor("mod"), { "sounds.enabled": false }),
    403,
    "forbidden",
  );
  // Widget keys need chat.customize_widget only; one key without permission refuses the whole change.
  const designer = {
    ...f.actor("alice"),
    permissions: new Set([...f.actor("alice").permissions, "chat.customize_widget" as const]),
  };
  await refused(
    settings.updateSettings(f.deps, designer, { "widget.shape": "pill", "sounds.enabled": false }),
    403,
  );
  assert.equal((await settings.readSettings(db, f.ws))["widget.shape"], "round");
  const v = await settings.updateSettings(f.deps, designer, { "widget.shape": "pill" });
  assert.equal(v["widget.shape"], "pill");
  // A rule across settings: the default theme must be offered.
  await refused(
    settings.updateSettings(f.deps, admin, { "appearance.themes_offered": ["light", "dark"] }),
    400,
    "invalid_input",
  );
  const ok = await settings.updateSettings(f.deps, admin, {
    "appearance.themes_offered": ["light", "dark"],
    "appearance.default_theme": "dark",
  });
  assert.deepEqual(ok["appearance.themes_offered"], ["light", "dark"]);
  // null puts the default back.
  const reset = await settings.updateSettings(f.deps, admin, {
    "widget.shape": null,
    "appearance.themes_offered": null,
  });
  assert.equal(reset["widget.shape"], "round");
  assert.equal(reset["appearance.themes_offered"].length, 9);
  // Another workspace's settings are untouched.
  assert.deepEqual(
    await workspacesRepo.settings(db, f.otherWs),
    {},
  );
});

dbTest("a change pages use is published to the workspace after commit; a refused one is not", async (db) => {
  const f = await fixture(db);
  await refused(settings.updateSettings(f.deps, f.actor("admin"), { "widget.shape": "blob" }), 400);
  assert.equal(f.published.length, 0);
  await settings.updateSettings(f.deps, f.actor("admin"), {
    "widget.shape": "hexagon",
    "sounds.enabled": false,
  });
  const ev = f.published.filter((e) => e.event.type === "settings_updated");
  assert.equal(ev.length, 1);
  assert.deepEqual(ev[0].audience, { kind: "workspace", workspaceId: f.ws });
  const e = ev[0].event;
  assert.ok(e.type === "settings_updated");
  assert.equal(e.settings["widget.shape"], "hexagon");
  assert.equal(e.settings["sounds.enabled"], false);
  // Setting the same values again changes nothing pages see: no event.
  await settings.updateSettings(f.deps, f.actor("admin"), { "widget.shape": "hexagon" });
  assert.equal(f.published.filter((e) => e.event.type === "settings_updated").length, 1);
});

dbTest(
  "admin view: values and definitions for those who may change some; members are refused",
  async (db) => {
    const f = await fixture(db);
    await refused(settings.adminView(f.deps, f.actor("alice")), 403);
    await refused(settings.adminView(f.deps, f.actor("mod")), 403);
    const v = await settings.adminView(f.deps, f.actor("admin"));
    const shape = v.definitions.find((d) => d.key === "widget.shape")!;
    assert.deepEqual(shape.type.enum, ["round", "square", "rounded_square", "pill", "hexagon"]);
    assert.equal(shape.editable, true);
    const pub = await settings.publicSettings(f.deps, f.actor("alice"));
    assert.equal(pub["widget.shape"], "round");
  },
);
