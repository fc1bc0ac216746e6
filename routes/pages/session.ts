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
  const values = await readSettings(deps.db, workspaceId);
  const preferences = userId === null ? null : await readPreferences(deps.db, workspaceId, userId, values);
  const settings = publicPart(values);
  return { settings, look: lookFromSettings(settings, onColor), preferences };
}

const BASE = "http://parley.invalid";

/**
 * The post-login destination from `?next=`: resolved against our own origin the way a browser would, and
 * kept only when it stays there. Control characters (which URL parsers strip, so `/%09/evil.example`
 * becomes `//evil.example`) and backslashes (read as slashes) refuse it outright. Anything unusable gives
 * `/chat`; nothing here throws.
 */
export function safeNext(next: string | undefined | null): string {
  const fallback = "/chat";
  if (typeof next !== "string" || !next.startsWith("/") || next.length > 2000) return fallback;
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith("/") && !path.startsWith("//") ? path : fallback;
}
