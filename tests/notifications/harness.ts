/**
 * Notification test scenes: a fixture with email addresses, a real SMTP server, and a worker that the
 * test ticks by hand (no timer), with delays shortened (one "minute" of email delay = `minuteMs`).
 */
import type { Db } from "../../db/client.ts";
import * as channels from "../../domain/channels.ts";
import * as messages from "../../domain/messages.ts";
import { type Fixture, fixture } from "../helpers/fixture.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";
import { type NotificationWorker, startNotificationWorker } from "../../notifications/worker.ts";
import { smtpTransport } from "../../notifications/smtp.ts";
import { generateVapidKeys, webPushTransport } from "../../notifications/web_push.ts";
import { ensureKeys } from "../../domain/notifications/keys.ts";
import type { Config } from "../../config.ts";

export type Name = "alice" | "bob" | "carol" | "mod" | "admin";

export interface Scene {
  f: Fixture;
  smtp: TestSmtp;
  logs: string[];
  worker: NotificationWorker;
  /** A new worker on the same database, as after a restart. */
  restartWorker(): Promise<void>;
  send(who: Name, channelId: number, body: string): Promise<number>;
  dm(a: Name, b: Name): Promise<number>;
  channel(name: string, members: Name[]): Promise<number>;
  close(): Promise<void>;
}

export const BASE = "http://parley.test";

export async function scene(db: Db, config: Partial<Config["notifications"]> = {}): Promise<Scene> {
  const smtp = await startSmtp();
  const base = (await import("../helpers/fixture.ts")).testConfig();
  const notifications: Config["notifications"] = {
    ...base.notifications,
    smtpUrl: smtp.url,
    tickMs: 50,
    scanGraceMs: 0,
    minuteMs: 50, // the default 60-minute delay takes 3 s
    retryBaseMs: 200,
    retryMaxMs: 1000,
    pushAllowLoopbackHttp: true,
    ...config,
  };
  const f = await fixture(db, { config: { notifications } });
  for (const [name, u] of Object.entries(f.users)) {
    await db.query("UPDATE users SET email = $1 WHERE id = $2", [`${name}@example.test`, u.id]);
  }
  const keys = await ensureKeys(db, generateVapidKeys);
  const logs: string[] = [];
  const make = () =>
    startNotificationWorker(f.deps, {
      baseUrl: BASE,
      linkSecret: keys.linkSecret,
      transports: [
        smtpTransport({ url: smtp.url, from: "Parley <parley@example.test>" }),
        webPushTransport({
          publicKey: keys.vapidPublicKey,
          privateKey: keys.vapidPrivateKey,
          subject: "mailto:parley@example.test",
        }),
      ],
      log: (l) => logs.push(l),
    }, false);
  const s: Scene = {
    f,
    smtp,
    logs,
    worker: make(),
    async restartWorker() {
      await s.worker.stop();
      s.worker = make();
    },
    async send(who, channelId, body) {
      const r = await messages.send(f.deps, f.actor(who), { channelId, clientId: crypto.randomUUID(), body });
      return r.message.id;
    },
    async dm(a, b) {
      return (await channels.openDirect(f.deps, f.actor(a), { userId: f.users[b].id })).id;
    },
    async channel(name, members) {
      return (await channels.create(f.deps, f.actor("mod"), {
        name,
        memberIds: members.filter((m) => m !== "mod").map((m) => f.users[m].id),
      })).id;
    },
    async close() {
      await s.worker.stop();
      await smtp.close();
    },
  };
  await s.worker.tick(); // the scanner's cursor starts here
  return s;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ticks the worker until `cond` holds or `ms` pass. */
export async function tickUntil(s: Scene, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await s.worker.tick();
    if (cond()) return;
    await sleep(50);
  }
  throw new Error("condition not reached while ticking the worker");
}

/** Ticks the worker for `ms` (to show that something does NOT happen). */
export async function tickFor(s: Scene, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await s.worker.tick();
    await sleep(50);
  }
}
