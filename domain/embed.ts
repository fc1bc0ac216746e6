/**
 * The staff widget embedded by a host application on another origin (docs/widget.md, "On another origin").
 *
 * The host page hands the widget its signed JWT; the widget exchanges it over CORS for an embed session: a
 * bearer token that lives EMBED_SESSION_SECONDS (15 minutes), is bound to the host origin it was opened from, and works
 * only while that origin is on the workspace's `widget.host_origins` list. Before it lapses the widget
 * exchanges a fresh JWT for more time on the same session (`embedSignIn` with the current token), so its
 * socket stays open. The socket opens with a single-use ticket (browsers cannot put a header on a
 * WebSocket); "Open in full chat" opens Parley's own page in a new tab with another single-use ticket that
 * becomes an ordinary first-party cookie session there.
 */
import { z } from "zod";
import * as embedRepo from "../db/repos/embed.ts";
import * as usersRepo from "../db/repos/users.ts";
import * as sessionsRepo from "../db/repos/sessions.ts";
import { readSetting, storedEverywhere } from "./settings/workspace.ts";
import type { Actor, Deps } from "./deps.ts";
import { AppError, unauthenticated } from "./errors.ts";
import {
  authenticateHash,
  newToken,
  publicUser,
  type SessionResult,
  sha256,
  ssoUser,
  startSession,
} from "./auth.ts";

export const TicketInput = z.object({ purpose: z.enum(["socket", "open"]) }).strict();

/** How long an embed session lives without a refresh, unless EMBED_SESSION_SECONDS says otherwise. */
export const EMBED_SESSION_SECONDS = 15 * 60;
const lifetime = (deps: Deps) => deps.config.sso.embedSessionSeconds ?? EMBED_SESSION_SECONDS;
/** How long a socket or "open" ticket may wait to be used. */
export const TICKET_SECONDS = 60;

/** `https://Host:443/` -> `https://host`; null for anything that is not an http(s) origin. */
export function originOf(text: string | null | undefined): string | null {
  if (!text) return null;
  try {
    const u = new URL(text);
    return u.protocol === "http:" || u.protocol === "https:" ? u.origin : null;
  } catch {
    return null;
  }
}

/** Is this origin on the workspace's list of host applications? */
export async function hostAllowed(deps: Deps, workspaceId: number, origin: string): Promise<boolean> {
  const list = await readSetting(deps.db, workspaceId, "widget.host_origins");
  return list.some((o) => originOf(o) === origin);
}

/** Is this origin on any workspace's list? (CORS preflights carry no credentials to tell the workspace.) */
export async function anyHostAllows(deps: Deps, origin: string): Promise<boolean> {
  const lists = await storedEverywhere(deps.db, "widget.host_origins");
  return lists.some((list) => list.some((o) => originOf(o) === origin));
}

const notAllowed = () =>
  new AppError("origin_not_allowed", 403, "This site may not embed Parley's staff widget");

/**
 * Exchanges the host's JWT for an embed session bound to `origin`. With `current` (the token the widget
 * holds), a live embed session of the same person and origin gets more time instead, and keeps its token.
 */
export async function embedSignIn(
  deps: Deps,
  input: unknown,
  ctx: { ip: string; userAgent: string; origin: string | null; current: string | null },
): Promise<SessionResult> {
  const origin = ctx.origin;
  if (!origin) throw notAllowed();
  const user = await ssoUser(deps, input, ctx, async (workspaceId) => {
    if (!(await hostAllowed(deps, workspaceId, origin))) throw notAllowed();
  });
  if (ctx.current) {
    const expiresAt = new Date(deps.now().getTime() + lifetime(deps) * 1000);
    const tokenHash = await sha256(ctx.current);
    if (await embedRepo.extend(deps.db, { tokenHash, userId: user.id, origin, expiresAt })) {
      return { token: ctx.current, expiresAt: expiresAt.toISOString(), user: publicUser(user) };
    }
  }
  return await startSession(deps, user, ctx.userAgent, { origin, seconds: lifetime(deps) });
}

/**
 * May this actor act from this request origin? Sessions that are not embed sessions: yes (the cookie
 * CSRF check and CORS handle them). Embed sessions: only from their own origin, while it is allowed.
 */
export async function embedOriginOk(deps: Deps, actor: Actor, origin: string | null): Promise<boolean> {
  if (!actor.embedOrigin) return true;
  return origin === actor.embedOrigin && await hostAllowed(deps, actor.workspaceId, origin);
}

/** A single-use ticket for this session, to open a socket or Parley's own page in a new tab. */
export async function issueTicket(
  deps: Deps,
  actor: Actor,
  purpose: embedRepo.TicketPurpose,
  origin: string,
): Promise<{ ticket: string; expiresAt: string }> {
  if (!actor.sessionHash) throw unauthenticated("Tickets are issued to sessions only");
  const ticket = newToken();
  const expiresAt = new Date(deps.now().getTime() + TICKET_SECONDS * 1000);
  await embedRepo.insertTicket(deps.db, {
    ticketHash: await sha256(ticket),
    purpose,
    sessionHash: actor.sessionHash,
    origin,
    expiresAt,
  });
  return { ticket, expiresAt: expiresAt.toISOString() };
}

/**
 * The actor a socket ticket opens, used up; null when unknown, used, expired, of an ended session, or
 * presented from another origin than the one it was issued to (or one no longer allowed).
 */
export async function redeemSocketTicket(
  deps: Deps,
  ticket: string,
  origin: string | null,
): Promise<Actor | null> {
  if (ticket.length > 200) return null;
  const t = await embedRepo.redeemTicket(deps.db, await sha256(ticket), "socket");
  if (!t || t.origin !== origin) return null;
  const actor = await authenticateHash(deps, t.sessionHash);
  if (!actor || !(await embedOriginOk(deps, actor, origin))) return null;
  return actor;
}

/** Who an "open" ticket would sign in, without using it up (the confirmation page names them). */
export async function peekOpenTicket(
  deps: Deps,
  ticket: string,
): Promise<{ displayName: string; origin: string } | null> {
  if (ticket.length > 200) return null;
  const t = await embedRepo.peekTicket(deps.db, await sha256(ticket), "open");
  if (!t) return null;
  const actor = await authenticateHash(deps, t.sessionHash);
  return actor ? { displayName: actor.displayName, origin: t.origin } : null;
}

/**
 * "Open in full chat": the ticket becomes an ordinary session on Parley's own origin (a first-party cookie
 * in the new tab), for the same person. Null when the ticket is not good.
 */
export async function redeemOpenTicket(
  deps: Deps,
  ticket: string,
  ctx: { ip: string; userAgent: string },
): Promise<SessionResult | null> {
  if (ticket.length > 200) return null;
  const t = await embedRepo.redeemTicket(deps.db, await sha256(ticket), "open");
  if (!t) return null;
  const actor = await authenticateHash(deps, t.sessionHash);
  if (!actor || !(await embedOriginOk(deps, actor, t.origin))) return null;
  const user = await usersRepo.byId(deps.db, actor.workspaceId, actor.userId);
  if (!user) return null;
  await sessionsRepo.audit(deps.db, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: "embed_open",
    detail: { origin: t.origin },
    ip: ctx.ip,
  });
  return await startSession(deps, user, ctx.userAgent);
}
