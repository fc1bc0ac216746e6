/**
 * Reading and changing workspace settings, always through the registry (`catalog.ts`): values are checked
 * against their schema on the way in and on the way out, each key by its own permission, and a change that
 * pages need reaches them as one `settings_updated` event after the commit.
 */
import { z } from "zod";
import type { Sql } from "../../db/client.ts";
import * as workspacesRepo from "../../db/repos/workspaces.ts";
import * as sessionsRepo from "../../db/repos/sessions.ts";
import type { Actor, Deps } from "../deps.ts";
import { forbidden, invalid } from "../errors.ts";
import { requirePermission } from "../access.ts";
import { withTx } from "../publish.ts";
import { parse } from "../validate.ts";
import {
  isSettingKey,
  type PublicSettings,
  SETTING_RULES,
  WORKSPACE_SETTINGS,
  type WorkspaceSettingKey,
  type WorkspaceSettings,
} from "./catalog.ts";
import { type AnySettingSpec, describe, resolveValues } from "./registry.ts";

const SPECS = Object.entries(WORKSPACE_SETTINGS) as [WorkspaceSettingKey, AnySettingSpec][];
const PUBLIC_KEYS = SPECS.filter(([, s]) => s.public).map(([k]) => k);
const EDIT_PERMISSIONS = [...new Set(SPECS.map(([, s]) => s.permission))];

/** A change: each key to its new value, or null to go back to the default. Unknown keys are refused. */
export const SettingsPatch = z.object(
  Object.fromEntries(SPECS.map(([k, s]) => [k, s.schema.nullable().optional()])),
).strict();

/** Every setting of a workspace: stored values that satisfy their schema, defaults for the rest. */
export async function readSettings(sql: Sql, workspaceId: number): Promise<WorkspaceSettings> {
  return resolveValues(WORKSPACE_SETTINGS, await workspacesRepo.settings(sql, workspaceId));
}

/** One setting's value. */
export async function readSetting<K extends WorkspaceSettingKey>(
  sql: Sql,
  workspaceId: number,
  key: K,
): Promise<WorkspaceSettings[K]> {
  return (await readSettings(sql, workspaceId))[key];
}

/**
 * One setting's value in every workspace that stored one, each checked against its schema (a value stored
 * under older rules is left out). For questions asked before the workspace is known (a CORS preflight).
 */
export async function storedEverywhere<K extends WorkspaceSettingKey>(
  sql: Sql,
  key: K,
): Promise<WorkspaceSettings[K][]> {
  const schema = (WORKSPACE_SETTINGS[key] as AnySettingSpec).schema;
  return (await workspacesRepo.settingEverywhere(sql, key)).flatMap((v) => {
    const r = schema.safeParse(v);
    return r.success ? [r.data as WorkspaceSettings[K]] : [];
  });
}

/** The part pages receive. */
export function publicPart(v: WorkspaceSettings): PublicSettings {
  return Object.fromEntries(PUBLIC_KEYS.map((k) => [k, v[k]])) as PublicSettings;
}

/** The public settings of the actor's workspace (any signed-in person). */
export async function publicSettings(deps: Deps, actor: Actor): Promise<PublicSettings> {
  requirePermission(actor, "chat.access_channels");
  return publicPart(await readSettings(deps.db, actor.workspaceId));
}

/** Every setting with its definition, for whoever may change at least one of them (the admin console). */
export async function adminView(deps: Deps, actor: Actor) {
  if (!EDIT_PERMISSIONS.some((p) => actor.permissions.has(p))) {
    throw forbidden("You may not change any workspace setting");
  }
  const settings = await readSettings(deps.db, actor.workspaceId);
  const definitions = describe(WORKSPACE_SETTINGS, (s) => z.toJSONSchema(s) as Record<string, unknown>)
    .map((d) => ({ ...d, editable: actor.permissions.has(d.permission!) }));
  return { settings, definitions };
}

/**
 * Changes some settings at once (all or nothing): each key needs its own permission, the result must pass
 * the cross-setting rules, and pages get the new public settings when one of them changed.
 */
export async function updateSettings(deps: Deps, actor: Actor, input: unknown): Promise<WorkspaceSettings> {
  const patch = parse(SettingsPatch, input) as Partial<Record<WorkspaceSettingKey, unknown>>;
  const keys = Object.keys(patch).filter(isSettingKey).filter((k) => patch[k] !== undefined);
  if (!keys.length) throw invalid("input: name at least one setting to change");
  for (const k of keys) {
    requirePermission(
      actor,
      WORKSPACE_SETTINGS[k].permission,
      `You need ${WORKSPACE_SETTINGS[k].permission} to change ${k}`,
    );
  }
  return await withTx(deps, async (tx) => {
    const before = await readSettings(tx.sql, actor.workspaceId);
    for (const k of keys) {
      const v = patch[k];
      if (v === null) await workspacesRepo.removeSetting(tx.sql, actor.workspaceId, k);
      else await workspacesRepo.putSetting(tx.sql, actor.workspaceId, k, v);
    }
    const after = await readSettings(tx.sql, actor.workspaceId);
    for (const rule of SETTING_RULES) {
      const bad = rule(after);
      if (bad) throw invalid(`${bad.key}: ${bad.message}`, [{ path: bad.key, message: bad.message }]);
    }
    await sessionsRepo.audit(tx.sql, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: "settings_updated",
      detail: patch,
    });
    if (PUBLIC_KEYS.some((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))) {
      tx.emit(actor.workspaceId, { type: "settings_updated", settings: publicPart(after) }, {
        kind: "workspace",
        workspaceId: actor.workspaceId,
      });
    }
    return after;
  });
}
