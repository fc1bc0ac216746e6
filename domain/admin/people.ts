/**
 * People administration (chat.manage_users): the paged list with counts, creating someone with a one-time
 * invitation link, password resets, role changes, deactivation with a reason, signing someone out, and the
 * tabs they have open. Every change respects rank (`rank.ts`) and is written to the audit log.
 */
import { z } from "zod";
import * as usersRepo from "../../db/repos/users.ts";
import * as sessionsRepo from "../../db/repos/sessions.ts";
import * as connectionsRepo from "../../db/repos/connections.ts";
import * as peopleRepo from "../../db/repos/admin_people.ts";
import * as invitationsRepo from "../../db/repos/invitations.ts";
import type { Actor, Deps } from "../deps.ts";
import { conflict, invalid, notFound } from "../errors.ts";
import { requirePermission } from "../access.ts";
import { type Tx, withTx } from "../publish.ts";
import { parse } from "../validate.ts";
import { sha256 } from "../auth.ts";
import { hashPassword } from "../passwords.ts";
import { PASSWORD_MAX, PASSWORD_MIN } from "../../shared/password_rules.ts";
import { profile } from "../users.ts";
import { record, type RequestCtx } from "./audit.ts";
import { requireAbove, requireMayGrant } from "./rank.ts";
import { queueMail } from "../notifications/mail.ts";
import { notifyText } from "../notifications/mail_i18n.ts";
import { isValidEmail } from "../notifications/validate.ts";
import { effectivePrefs } from "../notifications/prefs.ts";

const ROLES = ["admin", "moderator", "member", "guest"] as const;
const Password = z.string().min(PASSWORD_MIN, `at least ${PASSWORD_MIN} characters`).max(PASSWORD_MAX);
const INVITE_DAYS = 7;

export const PeopleQuery = z.object({
  q: z.string().trim().max(80).optional(),
  role: z.enum(ROLES).or(z.literal("")).optional(),
  state: z.enum(["active", "deactivated", ""]).optional(),
  online: z.enum(["yes", "no", ""]).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(25),
}).strict();

export const CreatePersonInput = z.object({
  username: z.string().trim().toLowerCase().regex(
    /^[a-z0-9][a-z0-9._-]{1,39}$/,
    "2-40 letters, digits, . _ -",
  ),
  displayName: z.string().trim().min(1).max(80),
  email: z.string().trim().email().max(200).optional(),
  role: z.enum(ROLES).default("member"),
  /** Set a password at once (no invitation link) for a person who signs in without SSO. */
  password: Password.optional(),
}).strict();
export const SetPasswordInput = z.object({ password: Password }).strict();
export const RoleChangeInput = z.object({ role: z.enum(ROLES) }).strict();
export const ReasonInput = z.object({ reason: z.string().trim().max(500).default("") }).strict();
export const AcceptInviteInput = z.object({
  token: z.string().min(20).max(200),
  password: z.string().min(8, "at least 8 characters").max(200),
}).strict();

export async function list(deps: Deps, actor: Actor, input: unknown) {
  requirePermission(actor, "chat.manage_users");
  const p = parse(PeopleQuery, input);
  const f: peopleRepo.PeopleFilter = {
    q: p.q || undefined,
    role: p.role || undefined,
    state: p.state || undefined,
    online: p.online === "yes" ? true : p.online === "no" ? false : undefined,
  };
  const [people, counts] = await Promise.all([
    peopleRepo.page(deps.db, actor.workspaceId, f, p.limit, (p.page - 1) * p.limit),
    peopleRepo.counts(deps.db, actor.workspaceId, f),
  ]);
  return { people, counts, page: p.page, pages: Math.max(1, Math.ceil(counts.matching / p.limit)) };
}

async function target(tx: Tx, actor: Actor, userId: number) {
  const u = await usersRepo.byId(tx.sql, actor.workspaceId, userId);
  if (!u) throw notFound("No such person");
  requireAbove(actor, u);
  return u;
}

/** A fresh one-time link for setting a password; only its hash is stored. */
/**
 * Mails an invitation or reset link through the one mail path (sent when the transaction commits, once),
 * when the person has a valid address; returns whether it was queued.
 */
async function mailLink(
  tx: Tx,
  deps: Deps,
  ctx: RequestCtx,
  u: { id: number; workspaceId: number; email: string | null; displayName: string },
  kind: "invite" | "reset",
  path: string,
): Promise<boolean> {
  const base = deps.config.notifications.publicUrl ?? ctx.origin;
  if (!base || !isValidEmail(u.email)) return false;
  const prefs = await effectivePrefs(tx.sql, u.workspaceId, u.id);
  const words = notifyText(prefs.language);
  const link = `${base}${path}`;
  const tokenKey = await sha256(path);
  return await queueMail(tx.sql, {
    key: `${kind}:${tokenKey}`,
    workspaceId: u.workspaceId,
    userId: u.id,
    kind: kind === "invite" ? "invite" : "password_reset",
    to: u.email,
    subject: kind === "invite" ? words.inviteSubject : words.resetSubject,
    text: (kind === "invite" ? words.inviteBody : words.resetBody)(u.displayName, link, INVITE_DAYS),
    language: prefs.language,
  });
}

async function newLink(tx: Tx, deps: Deps, actor: Actor, userId: number, kind: "invite" | "reset") {
  const token = crypto.randomUUID().replaceAll("-", "") + crypto.randomUUID().replaceAll("-", "");
  await invitationsRepo.insert(tx.sql, {
    tokenHash: await sha256(token),
    workspaceId: actor.workspaceId,
    userId,
    kind,
    createdBy: actor.userId,
    expiresAt: new Date(deps.now().getTime() + INVITE_DAYS * 86400_000),
  });
  return `/invite/${token}`;
}

export async function create(deps: Deps, actor: Actor, ctx: RequestCtx, input: unknown) {
  requirePermission(actor, "chat.manage_users");
  const { password, ...p } = parse(CreatePersonInput, input);
  requireMayGrant(actor, p.role);
  const passwordHash = password ? await hashPassword(password) : null;
  return await withTx(deps, async (tx) => {
    if (await usersRepo.byUsername(tx.sql, actor.workspaceId, p.username)) {
      throw conflict(`@${p.username} already exists`);
    }
    const u = await usersRepo.insert(tx.sql, { workspaceId: actor.workspaceId, ...p, passwordHash });
    // With a password there is nothing to accept; without one the person chooses it from the link.
    const link = passwordHash ? null : await newLink(tx, deps, actor, u.id, "invite");
    const emailed = !!link && await mailLink(tx, deps, ctx, u, "invite", link);
    await record(tx.sql, actor, ctx, "user_created", u.id, { username: u.username, role: u.role, emailed });
    return { user: profile(u), link, expiresInDays: link ? INVITE_DAYS : 0, emailed };
  });
}

/** Ends the person's sessions and gives a one-time link to choose a new password. */
export async function resetPassword(deps: Deps, actor: Actor, ctx: RequestCtx, userId: number) {
  requirePermission(actor, "chat.manage_users");
  return await withTx(deps, async (tx) => {
    const u = await target(tx, actor, userId);
    await sessionsRepo.removeForUser(tx.sql, u.id);
    const link = await newLink(tx, deps, actor, u.id, "reset");
    const emailed = await mailLink(tx, deps, ctx, u, "reset", link);
    await record(tx.sql, actor, ctx, "password_reset", u.id, { username: u.username, emailed });
    tx.emit(actor.workspaceId, { type: "session_revoked", reason: "password reset" }, {
      kind: "users",
      userIds: [u.id],
    });
    return { link, expiresInDays: INVITE_DAYS, emailed };
  });
}

/** Sets someone's password directly; their sessions end (they sign in with the new one). */
export async function setPassword(deps: Deps, actor: Actor, ctx: RequestCtx, userId: number, input: unknown) {
  requirePermission(actor, "chat.manage_users");
  const { password } = parse(SetPasswordInput, input);
  const hash = await hashPassword(password);
  await withTx(deps, async (tx) => {
    const u = await target(tx, actor, userId);
    await usersRepo.setPasswordHash(tx.sql, u.id, hash);
    await sessionsRepo.removeForUser(tx.sql, u.id);
    await record(tx.sql, actor, ctx, "password_set_by_admin", u.id, { username: u.username });
    tx.emit(actor.workspaceId, { type: "session_revoked", reason: "password reset" }, {
      kind: "users",
      userIds: [u.id],
    });
  });
  return profile((await usersRepo.byId(deps.db, actor.workspaceId, userId))!);
}

export async function setRole(deps: Deps, actor: Actor, ctx: RequestCtx, userId: number, input: unknown) {
  requirePermission(actor, "chat.manage_users");
  const { role } = parse(RoleChangeInput, input);
  requireMayGrant(actor, role);
  await withTx(deps, async (tx) => {
    const u = await target(tx, actor, userId);
    if (u.role === role && u.customRoleId === null) return;
    await usersRepo.setRole(tx.sql, u.id, role);
    await record(tx.sql, actor, ctx, "role_changed", u.id, {
      username: u.username,
      from: u.customRoleName ?? u.role,
      to: role,
    });
    // Their open sockets act with the new role from their next action.
    tx.emit(actor.workspaceId, { type: "access_changed", userId: u.id }, { kind: "users", userIds: [u.id] });
  });
  return profile((await usersRepo.byId(deps.db, actor.workspaceId, userId))!);
}

export async function setActive(
  deps: Deps,
  actor: Actor,
  ctx: RequestCtx,
  userId: number,
  active: boolean,
  input: unknown,
) {
  requirePermission(actor, "chat.manage_users");
  const { reason } = parse(ReasonInput, input);
  await withTx(deps, async (tx) => {
    const u = await target(tx, actor, userId);
    await usersRepo.setDeactivated(tx.sql, u.id, !active);
    if (!active) {
      await sessionsRepo.removeForUser(tx.sql, u.id);
      tx.emit(actor.workspaceId, { type: "session_revoked", reason: "deactivated" }, {
        kind: "users",
        userIds: [u.id],
      });
    }
    await record(tx.sql, actor, ctx, active ? "user_reactivated" : "user_deactivated", u.id, {
      username: u.username,
      reason,
    });
  });
  return profile((await usersRepo.byId(deps.db, actor.workspaceId, userId))!);
}

/** Ends every session of the person; their open tabs close within seconds. */
export async function signOut(deps: Deps, actor: Actor, ctx: RequestCtx, userId: number) {
  requirePermission(actor, "chat.manage_users");
  await withTx(deps, async (tx) => {
    const u = await target(tx, actor, userId);
    await sessionsRepo.removeForUser(tx.sql, u.id);
    await record(tx.sql, actor, ctx, "user_signed_out", u.id, { username: u.username });
    tx.emit(actor.workspaceId, { type: "session_revoked", reason: "signed out by an administrator" }, {
      kind: "users",
      userIds: [u.id],
    });
  });
}

/** The person's open tabs: page, since when, instance. */
export async function tabs(deps: Deps, actor: Actor, userId: number) {
  requirePermission(actor, "chat.manage_users");
  const u = await usersRepo.byId(deps.db, actor.workspaceId, userId);
  if (!u) throw notFound("No such person");
  const all = await connectionsRepo.listLive(deps.db, actor.workspaceId);
  return all.filter((c) => c.userId === userId).map((c) => ({
    id: c.id,
    page: c.page,
    since: c.connectedAt,
    instance: c.instanceId,
    userAgent: c.userAgent,
  }));
}

/** Sets the password of an invitation or reset link (once), for the person it was made for. */
export async function acceptInvite(deps: Deps, input: unknown) {
  const p = parse(AcceptInviteInput, input);
  const hash = await hashPassword(p.password);
  const tokenHash = await sha256(p.token);
  await deps.db.tx(async (sql) => {
    const inv = await invitationsRepo.consume(sql, tokenHash);
    if (!inv) throw invalid("This link has expired or was already used; ask an administrator for a new one");
    await invitationsRepo.setPassword(sql, inv.userId, hash);
    await sessionsRepo.audit(sql, {
      workspaceId: inv.workspaceId,
      actorId: inv.userId,
      action: inv.kind === "invite" ? "invitation_accepted" : "password_set",
      target: String(inv.userId),
    });
  });
  return { ok: true };
}

/** Who an invitation link is for (the page shows the name), or null. */
export async function inviteeOf(deps: Deps, token: string) {
  if (token.length < 20 || token.length > 200) return null;
  const inv = await invitationsRepo.live(deps.db, await sha256(token));
  if (!inv) return null;
  const u = await usersRepo.byId(deps.db, inv.workspaceId, inv.userId);
  return u ? { username: u.username, displayName: u.displayName, kind: inv.kind } : null;
}
