/**
 * The notification worker, started by `main.ts`: every tick it scans new messages into items and pushes,
 * turns due email windows into mails, and sends what the outbox holds through the transports — each
 * delivery once (claimed under its key), retried with exponential back-off when SMTP or a push service
 * fails, never on the path of a chat message. See docs/notifications.md.
 */
import * as outbox from "../db/repos/notification_outbox.ts";
import * as prefsRepo from "../db/repos/notification_levels.ts";
import type { Deps } from "../domain/deps.ts";
import { batchDueEmails } from "../domain/notifications/digest.ts";
import { renderDigest, renderPush } from "../domain/notifications/render.ts";
import { SCAN_BATCH, scanOnce } from "../domain/notifications/scan.ts";
import type { OutgoingMail } from "../domain/notifications/mail.ts";
import { isValidEmail } from "../domain/notifications/validate.ts";
import type { Outgoing, Transport } from "./transport.ts";

export interface WorkerOptions {
  /** Where links in mails and pushes point. */
  baseUrl: string;
  linkSecret: string;
  transports: Transport[];
  log?: (line: string) => void;
}

export interface NotificationWorker {
  /** One full pass (scan, windows, deliveries); tests call it to run the worker without waiting. */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

const LEASE_MS = 5 * 60_000;
const CLAIM = 25;

export function startNotificationWorker(
  deps: Deps,
  opts: WorkerOptions,
  autoStart = true,
): NotificationWorker {
  const log = opts.log ?? ((l: string) => console.log(l));
  const cfg = deps.config.notifications;
  let running: Promise<void> | null = null;
  let stopped = false;
  let ticks = 0;

  const deliver = async (d: outbox.Delivery) => {
    let out: Outgoing | null = null;
    try {
      if (d.transport === "email") {
        const mail = d.kind === "digest"
          ? await renderDigest(deps.db, d, opts)
          : (d.payload.mail as OutgoingMail | undefined) ?? null;
        if (mail && !isValidEmail(mail.to)) {
          await outbox.finish(deps.db, d.id, "failed", "not a valid email address");
          return;
        }
        out = mail && { transport: "email", mail };
      } else {
        const push = await renderPush(deps.db, d, opts);
        out = push && { transport: "push", push };
      }
      if (!out) {
        await outbox.finish(deps.db, d.id, "dropped", "nothing left to send");
        return;
      }
      const t = opts.transports.find((x) => x.name === out!.transport);
      const r = t ? await t.send(out) : { status: "retry" as const, error: `no ${out.transport} transport` };
      if (r.status === "sent") {
        await outbox.finish(deps.db, d.id, "sent");
        if (out.transport === "push") await prefsRepo.touchSubscription(deps.db, out.push.subscription.id);
      } else if (r.status === "gone") {
        await outbox.finish(deps.db, d.id, "dropped", r.error);
        if (out.transport === "push") {
          await prefsRepo.removeSubscription(deps.db, out.push.subscription.id);
          log(`notifications: push subscription ${out.push.subscription.id} removed (${r.error})`);
        }
      } else if (r.status === "failed" || d.attempts >= cfg.maxAttempts) {
        await outbox.finish(deps.db, d.id, "failed", r.error);
        log(`notifications: ${d.transport} ${d.key} failed for good: ${r.error}`);
      } else {
        await retry(d, r.error);
      }
    } catch (err) {
      await retry(d, (err as Error).message ?? String(err)).catch(() => {});
    }
  };

  const retry = async (d: outbox.Delivery, error: string) => {
    const wait = Math.min(cfg.retryBaseMs * 2 ** Math.max(0, d.attempts - 1), cfg.retryMaxMs);
    await outbox.retryLater(deps.db, d.id, new Date(deps.now().getTime() + wait), error);
    log(
      `notifications: ${d.transport} ${d.key} attempt ${d.attempts} failed (${error}); retry in ${wait} ms`,
    );
  };

  const pass = async () => {
    const now = deps.now();
    if (ticks++ % 60 === 0) {
      await outbox.releaseStale(deps.db, new Date(now.getTime() - LEASE_MS));
      await outbox.pruneItems(deps.db, new Date(now.getTime() - 14 * 24 * 3600_000));
    }
    // Catch up while scans come back full; a partial one has read everything past the grace, and what
    // crosses the grace meanwhile waits for the next tick. Scanning again until a scan finds nothing ran a
    // transaction back to back with the next under a steady load (messages cross the grace all the time),
    // each re-reading its channels' members and people, and each holding the event loop a few ms while the
    // sends waited behind it (bench/notes/steady_tail.md, "The steady tail in time").
    while (!stopped && await scanOnce(deps) >= SCAN_BATCH) { /* catch up */ }
    await batchDueEmails(deps);
    for (;;) {
      const claimed = await outbox.claim(deps.db, deps.now(), CLAIM);
      if (!claimed.length) break;
      await Promise.all(claimed.map(deliver));
      if (claimed.length < CLAIM || stopped) break;
    }
  };

  const tick = () => {
    // Passes never overlap: a tick during a pass waits for it and runs another.
    const next = (running ?? Promise.resolve()).then(() => stopped ? undefined : pass()).catch((err) => {
      log(`notifications: worker pass failed: ${(err as Error).message ?? err}`);
    });
    running = next;
    return next;
  };

  const timer = autoStart ? setInterval(() => void tick(), cfg.tickMs) : null;
  return {
    tick,
    async stop() {
      stopped = true;
      if (timer !== null) clearInterval(timer);
      await running;
      for (const t of opts.transports) await t.close?.();
    },
  };
}
