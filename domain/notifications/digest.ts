/**
 * Email windows: when a person's oldest waiting item has waited their delay, everything that arrived in
 * that window becomes one queued mail (key `email:<user>:<first message>`), unless it was read on another
 * device or deleted meanwhile. During do not disturb the window is held until it ends.
 */
import * as outbox from "../../db/repos/notification_outbox.ts";
import * as usersRepo from "../../db/repos/users.ts";
import type { Deps } from "../deps.ts";
import { allowedDuringDnd, isQuiet, quietUntil } from "./dnd.ts";
import { effectivePrefs } from "./prefs.ts";
import { isValidEmail } from "./validate.ts";

/** Turns every due window into a queued mail; returns how many people it looked at. */
export async function batchDueEmails(deps: Deps): Promise<number> {
  const users = await outbox.dueEmailUsers(deps.db, deps.now(), 100);
  for (const userId of users) await batchOne(deps, userId);
  return users.length;
}

async function batchOne(deps: Deps, userId: number) {
  await deps.db.tx(async (sql) => {
    const now = deps.now();
    const items = await outbox.pendingItems(sql, userId);
    if (!items.length) return;
    const windowEnd = Math.min(...items.map((i) => new Date(i.emailDueAt).getTime()));
    if (windowEnd > now.getTime()) return;
    const first = new Date(items[0].createdAt).getTime();
    const inWindow = items.filter((i) => new Date(i.createdAt).getTime() <= Math.max(windowEnd, first));
    const settled = inWindow.filter((i) => i.settled).map((i) => i.messageId);
    const open = inWindow.filter((i) => !i.settled);
    await outbox.setItemsState(sql, userId, settled, "dropped");
    if (!open.length) return;
    const ws = open[0].workspaceId;
    const user = await usersRepo.byId(sql, ws, userId);
    const prefs = await effectivePrefs(sql, ws, userId);
    const ids = open.map((i) => i.messageId);
    if (!user || user.deactivatedAt || !prefs.email.enabled || !isValidEmail(user.email)) {
      await outbox.setItemsState(sql, userId, ids, "dropped");
      return;
    }
    if (isQuiet(prefs, now) && !open.every((i) => allowedDuringDnd(prefs, i.reason))) {
      // Held, not lost: whatever is still unread when do not disturb ends is mailed then.
      const until = quietUntil(prefs, now) ?? new Date(now.getTime() + 24 * 3600_000);
      await outbox.postponeItems(sql, userId, ids, until);
      return;
    }
    await outbox.enqueue(sql, {
      key: `email:${userId}:m${ids[0]}`,
      workspaceId: ws,
      userId,
      transport: "email",
      kind: "digest",
      payload: { messageIds: ids },
    });
    await outbox.setItemsState(sql, userId, ids, "batched");
  });
}
