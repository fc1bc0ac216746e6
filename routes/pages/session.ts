/** Page helpers: who is signed in (from the session cookie) and what the workspace configured. */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import * as auth from "../../domain/auth.ts";
import type { Actor, Deps } from "../../domain/deps.ts";
import * as usersRepo from "../../db/repos/users.ts";
import { publicPart, readSettings } from "../../domain/settings/workspace.ts";
import { readPreferences } from "../../domain/preferences/user.ts";
import type { Preferences, PublicSettings } from "../../realtime/protocol.ts";
import { SESSION_COOKIE } from "../env.ts";
import type { Me } from "../../realtime/client.ts";
import { lookFromSettings, type WidgetLook } from "../../islands/widget/look.ts";
import { onColor } from "../../components/themes.ts";

export async function pageActor(deps: Deps, c: Context): Promise<Actor | null> {
  return await auth.authenticate(deps, getCookie(c, SESSION_COOKIE) ?? null);
}

export async function meOf(deps: Deps, actor: Actor): Promise<Me> {
  const u = await usersRepo.byId(deps.db, actor.workspaceId, actor.userId);
  return auth.publicUser(u!) as Me;
}

/** What a page needs of the workspace settings and the person's preferences, through the registries. */
export async function workspaceSettings(
  deps: Deps,
  workspaceId: number,
  userId: number | null,
): Promise<{ settings: PublicSettings; look: WidgetLook; preferences: Preferences | null }> {
  const [values, preferences] = await Promise.all([
    readSettings(deps.db, workspaceId),
    userId === null ? null : readPreferences(deps.db, workspaceId, userId),
  ]);
  const settings = publicPart(values);
  return { settings, look: lookFromSettings(settings, onColor), preferences };
}

/** Only same-site relative paths are accepted as a post-login destination. */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/chat";
}
