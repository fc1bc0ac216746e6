/** Permission names and default sets from the full Orvale plan (1.4 and 8.3). */
import assert from "node:assert/strict";
import { effectivePermissions, PERMISSIONS, ROLE_PERMISSIONS } from "../../domain/permissions.ts";

const PLAN = [
  "chat.access_channels",
  "chat.create_channels",
  "chat.manage_channels",
  "chat.delete_messages",
  "chat.moderate_channels",
  "chat.access_private",
  "chat.send_files",
  "chat.create_direct",
  "chat.admin_dashboard",
  "chat.system_broadcast",
  "chat.monitor_all",
  "chat.manage_users",
  "chat.view_analytics",
  "chat.customize_widget",
  "chat.make_audio_calls",
  "chat.make_video_calls",
  "chat.receive_calls",
  "chat.record_calls",
  "chat.monitor_calls",
];

Deno.test("every permission name of the plan exists", () => {
  for (const p of PLAN) assert.ok((PERMISSIONS as readonly string[]).includes(p), p);
});

Deno.test("every member gets access, direct messages and groups, and files", () => {
  const member = effectivePermissions("member", [], null);
  for (const p of ["chat.access_channels", "chat.create_direct", "chat.send_files"] as const) {
    assert.ok(member.has(p), p);
  }
  for (
    const p of [
      "chat.create_channels",
      "chat.manage_channels",
      "chat.delete_messages",
      "chat.moderate_channels",
      "chat.access_private",
      "chat.admin_dashboard",
      "chat.system_broadcast",
      "chat.monitor_all",
      "chat.manage_users",
    ] as const
  ) {
    assert.ok(!member.has(p), `a member must not have ${p}`);
  }
});

Deno.test("moderators moderate and delete; admins have everything; guests only read", () => {
  const mod = effectivePermissions("moderator", [], null);
  for (const p of ["chat.moderate_channels", "chat.delete_messages", "chat.create_channels"] as const) {
    assert.ok(mod.has(p), p);
  }
  assert.ok(!mod.has("chat.manage_channels"));
  assert.ok(!mod.has("chat.system_broadcast"));
  assert.deepEqual([...effectivePermissions("admin", [], null)].sort(), [...PERMISSIONS].sort());
  assert.deepEqual([...effectivePermissions("guest", [], null)], ["chat.access_channels"]);
  for (const role of ["guest", "member", "moderator", "admin"] as const) {
    for (const p of ROLE_PERMISSIONS[role]) assert.ok(PERMISSIONS.includes(p));
  }
});

Deno.test("individual grants add known permissions and ignore unknown names", () => {
  const p = effectivePermissions("member", ["chat.create_channels", "chat.everything", "admin"], null);
  assert.ok(p.has("chat.create_channels"));
  assert.equal(p.size, ROLE_PERMISSIONS.member.length + 1);
});
