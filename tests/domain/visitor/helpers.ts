/** Visitor-chat test support: a fixture whose staff may answer visitors, agents "online", chats started. */
import type { Db } from "../../../db/client.ts";
import * as usersRepo from "../../../db/repos/users.ts";
import * as workspacesRepo from "../../../db/repos/workspaces.ts";
import * as connectionsRepo from "../../../db/repos/connections.ts";
import { actorFromUser } from "../../../domain/auth.ts";
import type { Actor } from "../../../domain/deps.ts";
import * as lifecycle from "../../../domain/visitor/lifecycle.ts";
import * as routing from "../../../domain/visitor/routing.ts";
import { authenticateVisitor, type VisitorActor } from "../../../domain/visitor/access.ts";
import { newToken } from "../../../islands/visitor/client.ts";
import { type Fixture, fixture } from "../../helpers/fixture.ts";

export interface VFixture extends Fixture {
  /** A fresh actor read from the database (permissions as stored). */
  staff(name: "admin" | "mod" | "alice" | "bob" | "carol" | "eve"): Promise<Actor>;
  /** Gives the person a live connection row (what presence writes for an open socket). */
  online(userId: number): Promise<string>;
  offline(connId: string): Promise<void>;
  setting(key: string, value: unknown): Promise<void>;
  /** Starts a visitor chat; returns its token and the visitor actor. */
  visitor(extra?: Record<string, unknown>): Promise<{ token: string; v: VisitorActor; id: number }>;
  /** Makes the agent available and online. */
  agent(name: "alice" | "bob" | "carol" | "mod"): Promise<Actor>;
}

export async function visitorFixture(db: Db, opts: Parameters<typeof fixture>[1] = {}): Promise<VFixture> {
  const f = await fixture(db, opts);
  await db.query(
    "UPDATE users SET permissions = '{chat.public_queue,chat.public_transfer}' WHERE username IN ('alice','bob','carol')",
  );
  const staff = async (n: keyof Fixture["users"]) =>
    actorFromUser((await usersRepo.byId(db, f.users[n].workspaceId, f.users[n].id))!, null);
  const online = async (userId: number) => {
    const id = crypto.randomUUID();
    await connectionsRepo.insertMany(db, [{
      id,
      userId,
      workspaceId: f.ws,
      instanceId: "test",
      page: "",
      userAgent: "",
    }]);
    return id;
  };
  const vf: VFixture = {
    ...f,
    staff,
    online,
    offline: (id) => connectionsRepo.removeMany(db, [id]),
    setting: (key, value) => workspacesRepo.putSetting(db, f.ws, `visitor.${key}`, value),
    async visitor(extra = {}) {
      const token = newToken();
      const r = await lifecycle.start(f.deps, f.ws, { token, name: "Vera", formMs: 5000, ...extra }, {
        ip: `10.0.0.${Math.floor(Math.random() * 250)}`,
        userAgent: "test",
      });
      await f.deps.background.idle(); // the assignment run the start began
      return { token, v: await authenticateVisitor(f.deps, token), id: r.conversation.id };
    },
    async agent(name) {
      const a = await staff(name);
      await online(a.userId);
      await routing.setAvailability(f.deps, a, { available: true });
      return a;
    },
  };
  return vf;
}
