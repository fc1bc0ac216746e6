/**
 * Staff on visitor duty hear about a new waiting visitor. The visitor-chat code calls
 * `notifyVisitorWaiting` after the transaction that put the visitor in the queue commits, with the staff
 * it routes to (already filtered by availability); this queues a push to every device of each of them who
 * has no Parley tab open and is not in do not disturb (unless they allow "visitor" during it). Staff with a
 * tab open are told by the visitor UI itself (sound kind "visitor").
 *
 * @example
 * await notifyVisitorWaiting(deps, {
 *   workspaceId: actor.workspaceId,
 *   conversationId: conv.id,
 *   visitorName: conv.visitorName,
 *   staffUserIds: onDuty.map((s) => s.userId),
 * });
 */
import * as outbox from "../../db/repos/notification_outbox.ts";
import * as prefsRepo from "../../db/repos/notification_levels.ts";
import { LIVE_SECONDS } from "../../db/repos/connections.ts";
import type { Deps } from "../deps.ts";
import { allowedDuringDnd, isQuiet } from "./dnd.ts";
import { effectivePrefs } from "./prefs.ts";

export interface VisitorWaiting {
  workspaceId: number;
  /** The visitor conversation; one push per conversation and device, however often this is called. */
  conversationId: number;
  visitorName: string;
  staffUserIds: number[];
  /** Where a click on the notification leads (defaults to the chat). */
  url?: string;
}

/** Queues the pushes; returns the ids of the staff who will get one. */
export async function notifyVisitorWaiting(deps: Deps, v: VisitorWaiting): Promise<number[]> {
  const now = deps.now();
  const reached: number[] = [];
  await deps.db.tx(async (sql) => {
    const online = await outbox.online(sql, v.staffUserIds, LIVE_SECONDS);
    for (const userId of new Set(v.staffUserIds)) {
      if (online.has(userId)) continue;
      const prefs = await effectivePrefs(sql, v.workspaceId, userId);
      if (!prefs.push.enabled || (isQuiet(prefs, now) && !allowedDuringDnd(prefs, "visitor"))) continue;
      const subs = (await prefsRepo.subscriptions(sql, userId)).filter((s) =>
        s.workspaceId === v.workspaceId
      );
      for (const sub of subs) {
        await outbox.enqueue(sql, {
          key: `visitor:${v.conversationId}:${sub.id}`,
          workspaceId: v.workspaceId,
          userId,
          transport: "push",
          kind: "visitor_waiting",
          payload: {
            subscriptionId: sub.id,
            conversationId: v.conversationId,
            visitorName: v.visitorName.slice(0, 80),
            url: v.url,
          },
        });
      }
      if (subs.length) reached.push(userId);
    }
  });
  return reached;
}
