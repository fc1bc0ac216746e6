/** Page helpers: who is signed in (from the session cookie) and what the workspace configured. */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import * as auth from "../../domain/auth.ts";
import type { Actor, Deps } from "../../domain/deps.ts";
import * as usersRepo from "../../db/repos/users.ts";
import * as workspacesRepo from "../../db/repos/workspaces.ts";
import { DEFAULT_EDIT_WINDOW_SECONDS } from "../../domain/messages.ts";
import { SESSION_COOKIE } from "../env.ts";
import type { Me } from "../../realtime/client.ts";
import type { WorkspaceSettings } from "../../islands/chat/state.ts";
import { lookFromSettings, type WidgetLook } from "../../islands/widget/look.ts";
import { onColor } from "../../components/themes.ts";

export async function pageActor(deps: Deps, c: Context): Promise<Actor | null> {
  return await auth.authenticate(deps, getCookie(c, SESSION_COOKIE) ?? null);
}

export async function meOf(deps: Deps, actor: Actor): Promise<Me> {
  const u = await usersRepo.byId(deps.db, actor.workspaceId, actor.userId);
  return auth.publicUser(u!) as Me;
}

export async function workspaceSettings(
  deps: Deps,
  workspaceId: number,
): Promise<{ chat: WorkspaceSettings; look: WidgetLook }> {
  const s = await workspacesRepo.settings(deps.db, workspaceId);
  const win = Number(s["messages.edit_window_seconds"]);
  return {
    chat: {
      soundsEnabled: s["notifications.sounds_enabled"] !== false,
      editWindowSeconds: Number.isFinite(win) && win >= 0 ? win : DEFAULT_EDIT_WINDOW_SECONDS,
      messageChars: deps.config.limits.messageChars,
    },
    look: lookFromSettings(s, onColor),
  };
}

/** Only same-site relative paths are accepted as a post-login destination. */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/chat";
}
