/**
 * A person's preferences, stored on the server so they follow the person to any browser. Each value comes
 * from the person's own choice while it is valid and allowed, else from the workspace default the admin set
 * (`workspaceDefault` in the definition), else from the definition. A change reaches the person's other tabs
 * and browsers as a `preferences_updated` event.
 */
import { z } from "zod";
import type { Sql } from "../../db/client.ts";
import * as preferencesRepo from "../../db/repos/preferences.ts";
import type { Actor, Deps } from "../deps.ts";
import { invalid } from "../errors.ts";
import { requirePermission } from "../access.ts";
import { withTx } from "../publish.ts";
import { parse } from "../validate.ts";
import { readSettings } from "../settings/workspace.ts";
import type { WorkspaceSettings } from "../settings/catalog.ts";
import { type AnyPreferenceSpec, describe, resolveValues } from "../settings/registry.ts";
import { isPreferenceKey, type PreferenceKey, type Preferences, USER_PREFERENCES } from "./catalog.ts";

const SPECS = Object.entries(USER_PREFERENCES) as [PreferenceKey, AnyPreferenceSpec][];

/** Preferences whose values the workspace narrows (the admin restricts the themes offered). */
export const PREFERENCE_LIMITS: Partial<
  Record<PreferenceKey, (ws: WorkspaceSettings) => readonly unknown[]>
> = {
  theme: (ws) => ws["appearance.themes_offered"],
};

/** A change: each key to its new value, or null to follow the workspace default again. */
export const PreferencesPatch = z.object(
  Object.fromEntries(SPECS.map(([k, s]) => [k, s.schema.nullable().optional()])),
).strict();

/** Pure: a person's effective preferences from their stored choices and the workspace's settings. */
export function resolvePreferences(stored: Record<string, unknown>, ws: WorkspaceSettings): Preferences {
  const wsDefault = (key: string) => {
    const name = USER_PREFERENCES[key as PreferenceKey].workspaceDefault;
    return name ? (ws as Record<string, unknown>)[name] : undefined;
  };
  const allowed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(stored)) {
    const limit = isPreferenceKey(k) ? PREFERENCE_LIMITS[k] : undefined;
    if (!limit || limit(ws).includes(v)) allowed[k] = v;
  }
  return resolveValues(USER_PREFERENCES, allowed, wsDefault);
}

/** The effective preferences of a person (pages read them to render in the right theme from the start). */
export async function readPreferences(
  sql: Sql,
  workspaceId: number,
  userId: number,
  settings?: WorkspaceSettings,
): Promise<Preferences> {
  const [stored, ws] = await Promise.all([
    preferencesRepo.ofUser(sql, userId),
    settings ?? readSettings(sql, workspaceId),
  ]);
  return resolvePreferences(stored, ws);
}

/** What the settings dialog needs: the values, and the choices the workspace allows. */
export async function mine(deps: Deps, actor: Actor) {
  requirePermission(actor, "chat.access_channels");
  const [stored, ws] = await Promise.all([
    preferencesRepo.ofUser(deps.db, actor.userId),
    readSettings(deps.db, actor.workspaceId),
  ]);
  return { preferences: resolvePreferences(stored, ws), allowed: allowedOf(ws) };
}

function allowedOf(ws: WorkspaceSettings): Partial<Record<PreferenceKey, readonly unknown[]>> {
  return Object.fromEntries(
    Object.entries(PREFERENCE_LIMITS).map(([k, limit]) => [k, limit!(ws)]),
  ) as Partial<Record<PreferenceKey, readonly unknown[]>>;
}

/** The definitions, for a settings UI and the docs. */
export function definitions() {
  return describe(USER_PREFERENCES, (s) => z.toJSONSchema(s) as Record<string, unknown>);
}

/**
 * Changes some of the actor's preferences (all or nothing); a value the workspace does not allow is refused.
 * `exceptConnection`: the socket that made the change already knows.
 */
export async function update(deps: Deps, actor: Actor, input: unknown, exceptConnection?: string) {
  requirePermission(actor, "chat.access_channels");
  const patch = parse(PreferencesPatch, input) as Partial<Record<PreferenceKey, unknown>>;
  const keys = Object.keys(patch).filter(isPreferenceKey).filter((k) => patch[k] !== undefined);
  if (!keys.length) throw invalid("input: name at least one preference to change");
  deps.limiter.take(`preferences:${actor.userId}`, 120, "Too many preference changes");
  return await withTx(deps, async (tx) => {
    const ws = await readSettings(tx.sql, actor.workspaceId);
    for (const k of keys) {
      const v = patch[k];
      const limit = PREFERENCE_LIMITS[k];
      if (v !== null && limit && !limit(ws).includes(v)) {
        const message = "not offered in this workspace";
        throw invalid(`${k}: ${message}`, [{ path: k, message }]);
      }
      if (v === null) await preferencesRepo.remove(tx.sql, actor.userId, k);
      else await preferencesRepo.put(tx.sql, actor.userId, k, v);
    }
    const preferences = resolvePreferences(await preferencesRepo.ofUser(tx.sql, actor.userId), ws);
    tx.emit(
      actor.workspaceId,
      { type: "preferences_updated", preferences },
      { kind: "users", userIds: [actor.userId] },
      exceptConnection,
    );
    return { preferences, allowed: allowedOf(ws) };
  });
}
