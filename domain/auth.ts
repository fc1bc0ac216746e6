/**
 * Accounts and sessions: built-in login with a throttle, logout, token authentication, and host-application
 * sign-in (a short-lived JWT from the host app exchanged for a Parley session).
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import * as jose from "jose";
import * as usersRepo from "../db/repos/users.ts";
import * as sessionsRepo from "../db/repos/sessions.ts";
import * as workspacesRepo from "../db/repos/workspaces.ts";
import * as ssoTokensRepo from "../db/repos/sso_tokens.ts";
import type { Actor, Deps } from "./deps.ts";
import { AppError, unauthenticated } from "./errors.ts";
import { verifyPassword } from "./passwords.ts";
import { effectivePermissions, type WorkspaceRole } from "./permissions.ts";
import { parse } from "./validate.ts";
import * as throttle from "./login_throttle.ts";

export {
  ACCOUNT_MAX_FAILURES,
  IP_MAX_FAILURES,
  LOCK_WINDOW_MS,
  PAIR_MAX_FAILURES,
} from "./login_throttle.ts";

export const LoginInput = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(1024),
  workspace: z.string().trim().min(1).max(64).optional(),
}).strict();

export interface SessionResult {
  token: string;
  expiresAt: string;
  user: ReturnType<typeof publicUser>;
}

export function publicUser(u: usersRepo.UserRow) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    email: u.email,
    avatarUrl: u.avatarUrl,
    role: u.role,
    permissions: [...effectivePermissions(u.role, u.permissions, u.rolePermissions)],
    status: u.status,
    statusText: u.statusText,
    awayMessage: u.awayMessage,
  };
}

/**
 * Hex sha-256 of a session token. node:crypto hashes on the calling thread; WebCrypto's digest would hand
 * each of these tiny inputs to a pool thread, and a burst of connects grew that pool (and the memory each
 * thread keeps) by dozens of threads. Async for the callers' sake.
 */
export function sha256(text: string): Promise<string> {
  return Promise.resolve(createHash("sha256").update(text).digest("hex"));
}

async function workspaceFor(deps: Deps, slug?: string) {
  const ws = await workspacesRepo.bySlug(deps.db, slug ?? deps.config.defaultWorkspace);
  if (!ws) throw new AppError("unknown_workspace", 400, "No such workspace");
  return ws;
}

/** A random 256-bit token, base64url. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Opens a session: SESSION_DAYS long, or shorter and bound to a host origin (an embed session). */
export async function startSession(
  deps: Deps,
  user: usersRepo.UserRow,
  userAgent: string,
  embed?: { origin: string; seconds: number },
): Promise<SessionResult> {
  const token = newToken();
  const lifetimeMs = embed ? embed.seconds * 1000 : deps.config.sessionDays * 86400_000;
  const expiresAt = new Date(deps.now().getTime() + lifetimeMs);
  await sessionsRepo.insert(deps.db, {
    tokenHash: await sha256(token),
    userId: user.id,
    workspaceId: user.workspaceId,
    expiresAt,
    userAgent: userAgent.slice(0, 300),
    embedOrigin: embed?.origin ?? null,
  });
  return { token, expiresAt: expiresAt.toISOString(), user: publicUser(user) };
}

/**
 * Built-in login. The attempt is counted before the password is checked (see `login_throttle.ts`): five
 * failures in 30 minutes lock the account from that address, twenty from anywhere back off unknown
 * addresses, fifty lock the address.
 */
export async function login(
  deps: Deps,
  input: unknown,
  ctx: { ip: string; userAgent: string },
): Promise<SessionResult> {
  const { username, password, workspace } = parse(LoginInput, input);
  const ws = await workspaceFor(deps, workspace);
  const account = { workspaceId: ws.id, username };
  const reservation = await throttle.reserve(deps, account, ctx.ip);
  const user = await usersRepo.byUsername(deps.db, ws.id, username);
  const ok = await verifyPassword(password, user?.passwordHash ?? null);
  if (!user || !ok || user.deactivatedAt) {
    await sessionsRepo.audit(deps.db, {
      workspaceId: ws.id,
      actorId: user?.id ?? null,
      action: "login_failed",
      target: username,
      ip: ctx.ip,
    });
    await throttle.failed(deps, reservation);
    throw new AppError("bad_credentials", 401, "Wrong username or password");
  }
  await throttle.succeeded(deps, reservation);
  await sessionsRepo.audit(deps.db, { workspaceId: ws.id, actorId: user.id, action: "login", ip: ctx.ip });
  return await startSession(deps, user, ctx.userAgent);
}

export async function logout(deps: Deps, actor: Actor): Promise<void> {
  if (actor.sessionHash) await sessionsRepo.remove(deps.db, actor.sessionHash);
  await sessionsRepo.audit(deps.db, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: "logout",
  });
  // No event to the user: their other sessions (another browser, the phone) stay signed in. The gateway
  // closes this session's sockets (session_revoked, then 4001) at its next check, a few seconds at most.
}

/** The actor of a user: a session's narrow row (`usersRepo.SessionUser`) or a whole `UserRow`. */
export function actorFromUser(
  u: Omit<usersRepo.SessionUser, "deactivatedAt" | "embedOrigin"> & { embedOrigin?: string | null },
  sessionHash: string | null,
): Actor {
  return {
    embedOrigin: u.embedOrigin ?? null,
    userId: u.id,
    workspaceId: u.workspaceId,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    permissions: effectivePermissions(u.role, u.permissions, u.rolePermissions),
    sessionHash,
  };
}

/** Resolves a bearer or cookie token to an Actor; null when unknown, expired, logged out or deactivated. */
export async function authenticate(deps: Deps, token: string | undefined | null): Promise<Actor | null> {
  if (!token || token.length > 200) return null;
  return await authenticateHash(deps, await sha256(token));
}

/** As `authenticate`, from the session's hash (a redeemed socket ticket names its session so). */
export async function authenticateHash(deps: Deps, hash: string): Promise<Actor | null> {
  const u = await usersRepo.bySession(deps.db, hash);
  if (!u || u.deactivatedAt) return null;
  return actorFromUser(u, hash);
}

/** Of these session hashes, the ones still valid (not logged out, expired, or of a deactivated user). */
export async function liveSessions(deps: Deps, hashes: string[]): Promise<Set<string>> {
  return new Set(await sessionsRepo.liveOf(deps.db, hashes));
}

/** Is this session still valid? The gateway asks periodically to close sockets of ended sessions. */
export async function sessionAlive(deps: Deps, actor: Actor): Promise<boolean> {
  if (!actor.sessionHash) return true;
  const u = await usersRepo.bySession(deps.db, actor.sessionHash);
  return !!u && !u.deactivatedAt;
}

// ---- host-application sign-in -------------------------------------------------------------------

export const SsoInput = z.object({ token: z.string().min(10).max(8192) }).strict();

/** The claims the host application puts in its sign-in JWT (besides exp, iat, iss, aud). */
export const SsoClaims = z.object({
  sub: z.string().min(1).max(200),
  name: z.string().trim().min(1).max(120).optional(),
  email: z.email().max(254).optional(),
  username: z.string().trim().regex(/^[a-zA-Z0-9._-]{1,64}$/).optional(),
  roles: z.array(z.string().max(64)).max(50).optional(),
  workspace: z.string().trim().min(1).max(64).optional(),
});

/** Remote key sets by URL (jose caches the keys and refetches on an unknown key id). */
const jwksByUrl = new Map<string, ReturnType<typeof jose.createRemoteJWKSet>>();

function roleFrom(roles: string[] = []): WorkspaceRole {
  if (roles.includes("admin")) return "admin";
  if (roles.includes("moderator")) return "moderator";
  if (roles.includes("guest")) return "guest";
  return "member";
}

/** Clock skew allowed between the host application and Parley, in seconds. */
export const SSO_CLOCK_SKEW_SECONDS = 30;

/**
 * A sign-in token lives at most SSO_MAX_LIFETIME_SECONDS from now (and from its `iat`), is not issued in
 * the future, and works once: its `jti` (or, without one, its hash) is recorded in the database until it
 * expires, so a second use is refused on every instance.
 */
async function checkLifetime(deps: Deps, token: string, payload: jose.JWTPayload): Promise<void> {
  const { maxLifetimeSeconds } = deps.config.sso;
  const nowS = Math.floor(deps.now().getTime() / 1000);
  const exp = payload.exp ?? 0;
  if (typeof payload.iat === "number" && payload.iat > nowS + SSO_CLOCK_SKEW_SECONDS) {
    throw unauthenticated("The sign-in token is issued in the future");
  }
  const issued = Math.min(payload.iat ?? nowS, nowS);
  if (exp - nowS > maxLifetimeSeconds + SSO_CLOCK_SKEW_SECONDS || exp - issued > maxLifetimeSeconds) {
    throw unauthenticated(`The sign-in token lives too long (at most ${maxLifetimeSeconds} s)`);
  }
  const key = typeof payload.jti === "string" && payload.jti
    ? `jti:${payload.iss ?? ""}:${payload.jti.slice(0, 200)}`
    : `token:${await sha256(token)}`;
  const expiresAt = new Date((exp + SSO_CLOCK_SKEW_SECONDS) * 1000);
  if (!(await ssoTokensRepo.claim(deps.db, key, expiresAt, deps.now()))) {
    throw unauthenticated("This sign-in token was used already");
  }
}

/** Verifies the host's JWT (HS256 with the shared secret, or RS256/ES256 against the JWKS) and opens a session. */
export async function ssoExchange(
  deps: Deps,
  input: unknown,
  ctx: { ip: string; userAgent: string },
): Promise<SessionResult> {
  const user = await ssoUser(deps, input, ctx);
  return await startSession(deps, user, ctx.userAgent);
}

/**
 * The account a host's JWT signs in (created or updated from its claims). `admit` runs once the token is
 * verified and its workspace known, before any account is touched; it throws to refuse.
 */
export async function ssoUser(
  deps: Deps,
  input: unknown,
  ctx: { ip: string },
  admit?: (workspaceId: number) => Promise<void>,
): Promise<usersRepo.UserRow> {
  const { token } = parse(SsoInput, input);
  const { hsSecret, jwksUrl, issuer, audience } = deps.config.sso;
  if (!hsSecret && !jwksUrl) {
    throw new AppError("sso_disabled", 400, "Host-application sign-in is not configured");
  }
  let payload: jose.JWTPayload;
  try {
    const opts: jose.JWTVerifyOptions = {
      issuer,
      audience,
      requiredClaims: ["exp", "sub"],
      currentDate: deps.now(),
      clockTolerance: SSO_CLOCK_SKEW_SECONDS,
    };
    // The secret verifies HS256 only and the JWKS RS256/ES256 only, so neither key can be confused for
    // the other; with both configured, the token's header picks which one is tried.
    if (hsSecret && (!jwksUrl || jose.decodeProtectedHeader(token).alg === "HS256")) {
      ({ payload } = await jose.jwtVerify(token, new TextEncoder().encode(hsSecret), {
        ...opts,
        algorithms: ["HS256"],
      }));
    } else {
      let jwks = jwksByUrl.get(jwksUrl!);
      if (!jwks) jwksByUrl.set(jwksUrl!, jwks = jose.createRemoteJWKSet(new URL(jwksUrl!)));
      ({ payload } = await jose.jwtVerify(token, jwks, { ...opts, algorithms: ["RS256", "ES256"] }));
    }
  } catch {
    throw unauthenticated("The sign-in token is invalid or expired");
  }
  await checkLifetime(deps, token, payload);
  const claims = parse(SsoClaims, payload);
  const ws = await workspaceFor(deps, claims.workspace);
  await admit?.(ws.id);
  const role = roleFrom(claims.roles);
  const user = await deps.db.tx(async (sql) => {
    const found = await usersRepo.byExternalId(sql, ws.id, claims.sub);
    const displayName = claims.name ?? claims.username ?? claims.sub;
    if (found) {
      await usersRepo.updateProfile(sql, found.id, { displayName, email: claims.email ?? null, role });
      return (await usersRepo.byId(sql, ws.id, found.id))!;
    }
    let username =
      (claims.username ?? claims.email?.split("@")[0] ?? `user${claims.sub}`).replace(/[^a-zA-Z0-9._-]/g, "")
        .slice(0, 48) || "user";
    if (await usersRepo.byUsername(sql, ws.id, username)) username = `${username}-${claims.sub.slice(0, 12)}`;
    return await usersRepo.insert(sql, {
      workspaceId: ws.id,
      username,
      displayName,
      email: claims.email ?? null,
      role,
      externalId: claims.sub,
    });
  });
  if (user.deactivatedAt) throw new AppError("deactivated", 403, "This account is deactivated");
  await sessionsRepo.audit(deps.db, {
    workspaceId: ws.id,
    actorId: user.id,
    action: "sso_login",
    ip: ctx.ip,
  });
  return user;
}
