/** Reading and changing the visitor-chat settings (chat.customize_widget or chat.admin_dashboard). */
import { z } from "zod";
import * as workspacesRepo from "../../db/repos/workspaces.ts";
import type { Actor, Deps } from "../deps.ts";
import { forbidden, invalid } from "../errors.ts";
import { readVisitorSettings, settingKey, VISITOR_SETTINGS, type VisitorSettingKey } from "./settings.ts";

function requireAdmin(actor: Actor) {
  if (!actor.permissions.has("chat.customize_widget") && !actor.permissions.has("chat.admin_dashboard")) {
    throw forbidden("Visitor chat settings need chat.customize_widget");
  }
}

export const VisitorSettingsInput = z.record(z.string(), z.unknown());

export async function readSettingsForAdmin(deps: Deps, actor: Actor) {
  requireAdmin(actor);
  return await readVisitorSettings(deps.db, actor.workspaceId);
}

/** Validates every key against the registry first; then stores them all (or nothing). */
export async function writeSettings(deps: Deps, actor: Actor, input: unknown) {
  requireAdmin(actor);
  const patch = VisitorSettingsInput.safeParse(input);
  if (!patch.success) throw invalid("settings: an object of key -> value");
  const checked: [string, unknown][] = [];
  for (const [k, v] of Object.entries(patch.data)) {
    const def = (VISITOR_SETTINGS as Record<string, { schema: z.ZodType }>)[k];
    if (!def) throw invalid(`${k}: unknown setting`);
    const r = def.schema.safeParse(v);
    if (!r.success) throw invalid(`${k}: ${r.error.issues[0]?.message ?? "invalid"}`);
    checked.push([settingKey(k as VisitorSettingKey), r.data]);
  }
  await deps.db.tx(async (sql) => {
    for (const [k, v] of checked) await workspacesRepo.putSetting(sql, actor.workspaceId, k, v);
  });
  return await readVisitorSettings(deps.db, actor.workspaceId);
}
