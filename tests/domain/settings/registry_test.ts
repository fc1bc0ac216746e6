import assert from "node:assert/strict";
import { z } from "zod";
import { combine, defineSettings, resolveValues, setting } from "../../../domain/settings/registry.ts";
import { WORKSPACE_SETTINGS } from "../../../domain/settings/catalog.ts";
import { USER_PREFERENCES } from "../../../domain/preferences/catalog.ts";
import { PERMISSIONS } from "../../../domain/permissions.ts";

const one = (over: Partial<Parameters<typeof setting>[0]> = {}) =>
  setting({
    schema: z.number().int().min(0),
    default: 1,
    group: "G",
    label: "L",
    description: "D",
    permission: "chat.admin_dashboard",
    public: false,
    ...over,
  });

Deno.test("defineSettings: keys carry their area, defaults satisfy their schema", () => {
  assert.throws(() => defineSettings("files", { "other.x": one() }), /must look like files\.name/);
  assert.throws(() => defineSettings("files", { "files.x": one({ default: -1 }) }), /default of files\.x/);
  assert.doesNotThrow(() => defineSettings("files", { "files.x": one() }));
});

Deno.test("combine: the one list refuses a key defined twice", () => {
  const a = defineSettings("a", { "a.x": one() });
  assert.throws(() => combine(a, defineSettings("a", { "a.x": one() })), /a\.x is defined twice/);
  assert.deepEqual(Object.keys(combine(a, defineSettings("b", { "b.y": one() }))), ["a.x", "b.y"]);
});

Deno.test("resolveValues: stored values that fail their schema fall back to the next candidate", () => {
  const defs = defineSettings("a", { "a.x": one(), "a.y": one({ default: 5 }) });
  assert.deepEqual(resolveValues(defs, {}), { "a.x": 1, "a.y": 5 });
  assert.deepEqual(resolveValues(defs, { "a.x": 3, "a.y": "nope", "a.z": 9 }), { "a.x": 3, "a.y": 5 });
  assert.deepEqual(resolveValues(defs, { "a.y": -2 }, (k) => (k === "a.y" ? 7 : undefined)), {
    "a.x": 1,
    "a.y": 7,
  });
});

Deno.test("the registries: every definition is complete and names a real permission", () => {
  for (const [k, s] of Object.entries(WORKSPACE_SETTINGS)) {
    assert.ok(s.group && s.label && s.description.length > 10, k);
    assert.ok((PERMISSIONS as readonly string[]).includes(s.permission), k);
    assert.equal(typeof s.public, "boolean", k);
  }
  for (const [k, s] of Object.entries(USER_PREFERENCES)) {
    assert.ok(s.group && s.label && s.description.length > 10, k);
    // A workspace default is a real setting holding values the preference accepts.
    if (s.workspaceDefault) {
      const ws = (WORKSPACE_SETTINGS as Record<string, { default: unknown }>)[s.workspaceDefault];
      assert.ok(ws, `${k} -> ${s.workspaceDefault}`);
      assert.ok(s.schema.safeParse(ws.default).success, k);
    }
  }
});
