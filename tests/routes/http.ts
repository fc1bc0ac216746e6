/**
 * HTTP test harness: the real app (`createApp`) over a fixture, called with `app.request()` (no server),
 * sessions for every fixture user, and a snapshot of every table to prove that a refused request changed
 * nothing.
 */
import type { z } from "zod";
import { createApp } from "../../routes/app.ts";
import { pageRoutes } from "../../routes/pages/mod.ts";
import type { Db } from "../../db/client.ts";
import type { Config } from "../../config.ts";
import * as sessionsRepo from "../../db/repos/sessions.ts";
import { sha256 } from "../../domain/auth.ts";
import { type Fixture, fixture } from "../helpers/fixture.ts";

export const ORIGIN = "http://localhost";
export type Who = keyof Fixture["users"];

export interface CallOptions {
  /** Who calls; none means no credentials at all. */
  as?: Who;
  /** Bearer (default) or the session cookie. Cookie writes send `Origin: http://localhost` unless `origin` says otherwise. */
  via?: "bearer" | "cookie";
  /** A raw token instead of a user's. */
  token?: string;
  /** JSON-encoded unless it is a string (sent as is, for malformed bodies). */
  body?: unknown;
  /** The Origin header; null sends none. */
  origin?: string | null;
  headers?: Record<string, string>;
  /** What Deno.serve passes as the second argument (the peer address), for proxy and throttle tests. */
  env?: { remoteAddr: { hostname: string } };
}

export interface Reply {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  json: any;
  text: string;
}

export async function httpFixture(
  db: Db,
  opts: { config?: Partial<Config>; now?: () => Date; pages?: boolean } = {},
) {
  const f = await fixture(db, opts);
  const app = createApp(f.deps, opts.pages ? { mounts: [["/", await pageRoutes(f.deps)]] } : {});
  const tokens = {} as Record<Who, string>;
  for (const who of Object.keys(f.users) as Who[]) {
    tokens[who] = `test-${who}-${crypto.randomUUID()}`;
    await sessionsRepo.insert(db, {
      tokenHash: await sha256(tokens[who]),
      userId: f.users[who].id,
      workspaceId: f.users[who].workspaceId,
      expiresAt: new Date(Date.now() + 86400_000),
      userAgent: "test",
    });
  }

  async function call(method: string, path: string, o: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token ?? (o.as ? tokens[o.as] : undefined);
    const via = o.via ?? "bearer";
    if (token && via === "bearer") headers.authorization = `Bearer ${token}`;
    if (token && via === "cookie") headers.cookie = `parley_session=${token}`;
    const origin = o.origin === undefined ? (via === "cookie" ? ORIGIN : undefined) : o.origin;
    if (origin) headers.origin = origin;
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === "string" ? o.body : JSON.stringify(o.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await app.request(`${ORIGIN}${path}`, { method, headers, body, redirect: "manual" }, o.env);
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, json, text };
  }

  return { f, app, tokens, call };
}

export type Http = Awaited<ReturnType<typeof httpFixture>>;

/** Every row of every table, as text: equal snapshots mean nothing changed. */
export async function snapshot(db: Db): Promise<string> {
  const tables = await db.query<{ t: string }>(
    "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
  );
  const parts: string[] = [];
  for (const { t } of tables) {
    const r = await db.query<{ rows: string | null }>(
      `SELECT string_agg(x::text, '\n' ORDER BY x::text) AS rows FROM "${t}" x`,
    );
    parts.push(`${t}:\n${r[0].rows ?? ""}`);
  }
  return parts.join("\n");
}

/** Asserts the status and that the body matches the documented response schema; returns the parsed body. */
export function expectBody<S extends z.ZodType>(r: Reply, status: number, schema: S): z.output<S> {
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.text.slice(0, 300)}`);
  const parsed = schema.safeParse(r.json);
  if (!parsed.success) {
    throw new Error(`the response does not match its documented schema: ${parsed.error.message}\n${r.text}`);
  }
  return parsed.data;
}
