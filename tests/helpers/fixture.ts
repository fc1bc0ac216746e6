/** A small workspace for tests: users with known ids and password "pw", a second workspace, deps and actors. */
import type { Db } from "../../db/client.ts";
import { type Config, loadConfig } from "../../config.ts";
import * as workspacesRepo from "../../db/repos/workspaces.ts";
import * as usersRepo from "../../db/repos/users.ts";
import { actorFromUser } from "../../domain/auth.ts";
import type { Actor, Deps } from "../../domain/deps.ts";
import { RateLimiter } from "../../domain/rate_limit.ts";
import { hashPassword } from "../../domain/passwords.ts";
import { memoryBus } from "../../realtime/server/bus/memory.ts";
import { buildDeps } from "../../main.ts";
import { whenTestEnds } from "./db.ts";
import type { Envelope } from "../../realtime/protocol.ts";
import type { EventBus } from "../../realtime/server/bus/bus.ts";
import type { WorkspaceRole } from "../../domain/permissions.ts";

let pwHash: Promise<string> | null = null;
/** One Argon2id hash of "pw", computed once per process and shared by every fixture user. */
export const passwordHash = () => (pwHash ??= hashPassword("pw"));

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ DEMO: "0", PORT: "0" }), ...overrides };
}

export interface Fixture {
  deps: Deps;
  /** Every envelope published on the bus, in order. */
  published: Envelope[];
  ws: number;
  otherWs: number;
  users: Record<"admin" | "mod" | "alice" | "bob" | "carol" | "eve", usersRepo.UserRow>;
  actor(name: keyof Fixture["users"]): Actor;
}

export async function fixture(
  db: Db,
  opts: { bus?: EventBus; config?: Partial<Config>; now?: () => Date } = {},
): Promise<Fixture> {
  const bus = opts.bus ?? memoryBus();
  const published: Envelope[] = [];
  bus.subscribe((e) => published.push(e));
  const config = testConfig(opts.config);
  const deps = buildDeps({
    db,
    bus,
    config,
    now: opts.now ?? (() => new Date()),
    limiter: new RateLimiter(),
  });
  // Work started in the background (the assignment run after a visitor's start) ends with the test.
  whenTestEnds(() => deps.background.idle());
  const ws = await workspacesRepo.insert(db, config.defaultWorkspace, "Test");
  const other = await workspacesRepo.insert(db, "other", "Other");
  const hash = await passwordHash();
  const mk = (w: number, username: string, role: WorkspaceRole) =>
    usersRepo.insert(db, {
      workspaceId: w,
      username,
      displayName: username[0].toUpperCase() + username.slice(1),
      role,
      passwordHash: hash,
    });
  const users = {
    admin: await mk(ws.id, "admin", "admin"),
    mod: await mk(ws.id, "mod", "moderator"),
    alice: await mk(ws.id, "alice", "member"),
    bob: await mk(ws.id, "bob", "member"),
    carol: await mk(ws.id, "carol", "member"),
    eve: await mk(other.id, "eve", "member"),
  };
  return {
    deps,
    published,
    ws: ws.id,
    otherWs: other.id,
    users,
    actor: (n) => actorFromUser(users[n], null),
  };
}
