/**
 * The scanner: reads new messages after a cursor kept in the database and turns each into what it owes
 * people — an item waiting for that person's email window, and a push per device for people with no
 * Parley tab open. The cursor moves in the same transaction as the rows it produced, and every row has a
 * unique key, so a restart or a second instance never produces anything twice.
 */
import type { Sql } from "../../db/client.ts";
import * as channelsRepo from "../../db/repos/channels.ts";
import * as usersRepo from "../../db/repos/users.ts";
import * as outbox from "../../db/repos/notification_outbox.ts";
import * as prefsRepo from "../../db/repos/notification_levels.ts";
import { readSettings } from "../settings/workspace.ts";
import type { WorkspaceSettings } from "../settings/catalog.ts";
import { LIVE_SECONDS } from "../../db/repos/connections.ts";
import { effectivePermissions } from "../permissions.ts";
import type { Deps } from "../deps.ts";
import { defaultLevel, MAILED, reasonFor } from "./decide.ts";
import { allowedDuringDnd, isQuiet } from "./dnd.ts";
import { effectivePrefs, type Prefs, workspaceNotificationView } from "./prefs.ts";
import { isValidEmail } from "./validate.ts";

const BATCH = 200;

/** Scans one batch; returns how many messages it looked at (0: caught up). */
export async function scanOnce(deps: Deps): Promise<number> {
  const cfg = deps.config.notifications;
  return await deps.db.tx(async (sql) => {
    const after = await outbox.cursor(sql);
    const now = deps.now();
    const msgs = await outbox.newMessages(sql, after, new Date(now.getTime() - cfg.scanGraceMs), BATCH);
    if (!msgs.length) return 0;
    const ctx = new ScanContext(sql);
    for (const m of msgs) {
      if (m.deleted || m.type === "system" || m.senderId === null) continue;
      await forMessage(deps, sql, ctx, m, now);
    }
    await outbox.setCursor(sql, msgs[msgs.length - 1].id);
    return msgs.length;
  });
}

/** Per-batch caches: workspace settings and people's preferences are read once per scan. */
class ScanContext {
  ws = new Map<number, WorkspaceSettings>();
  prefs = new Map<number, Prefs>();
  constructor(readonly sql: Sql) {}
  async allSettings(id: number) {
    let s = this.ws.get(id);
    if (!s) this.ws.set(id, s = await readSettings(this.sql, id));
    return s;
  }
  async wsSettings(id: number) {
    return workspaceNotificationView(await this.allSettings(id));
  }
  async prefsOf(workspaceId: number, userId: number) {
    let p = this.prefs.get(userId);
    if (!p) {
      const ws = await this.allSettings(workspaceId);
      this.prefs.set(userId, p = await effectivePrefs(this.sql, workspaceId, userId, ws));
    }
    return p;
  }
}

async function forMessage(deps: Deps, sql: Sql, ctx: ScanContext, m: outbox.ScannedMessage, now: Date) {
  const ws = await ctx.wsSettings(m.workspaceId);
  const members = await channelsRepo.members(sql, m.channelId);
  const levels = new Map((await prefsRepo.levelsFor(sql, m.channelId)).map((l) => [l.userId, l.level]));
  const others = members.filter((x) => x.userId !== m.senderId && x.lastReadSeq < m.seq);
  if (!others.length) return;
  const online = await outbox.online(sql, others.map((x) => x.userId), LIVE_SECONDS);
  const sender = await usersRepo.byId(sql, m.workspaceId, m.senderId!);
  const senderMember = members.find((x) => x.userId === m.senderId);
  const broadAllowed = members.length <= ws.broadMentionThreshold ||
    (!!sender &&
      effectivePermissions(sender.role, sender.permissions, sender.rolePermissions).has(
        "chat.moderate_channels",
      )) ||
    (!!senderMember && senderMember.role !== "member");
  const users = new Map(
    (await usersRepo.byIds(sql, m.workspaceId, others.map((x) => x.userId))).map((u) => [u.id, u]),
  );
  const cfg = deps.config.notifications;
  for (const member of others) {
    const user = users.get(member.userId);
    if (!user || user.deactivatedAt) continue;
    const prefs = await ctx.prefsOf(m.workspaceId, user.id);
    const reason = reasonFor(
      { senderId: m.senderId, channelKind: m.channelKind, body: m.body, mentions: m.mentions, broadAllowed },
      {
        userId: user.id,
        level: levels.get(user.id) ?? defaultLevel(m.channelKind, ws.defaultLevels),
        keywords: prefs.keywords,
        online: online.has(user.id),
      },
    );
    if (!reason) continue;
    if (MAILED.includes(reason) && prefs.email.enabled && isValidEmail(user.email)) {
      const due = new Date(new Date(m.createdAt).getTime() + prefs.email.delayMinutes * cfg.minuteMs);
      await outbox.insertItem(sql, {
        userId: user.id,
        messageId: m.id,
        workspaceId: m.workspaceId,
        channelId: m.channelId,
        seq: m.seq,
        reason,
        createdAt: m.createdAt,
        emailDueAt: due.toISOString(),
      });
    }
    // Push only reaches people with no Parley tab open (an open tab shows its own notification).
    if (!prefs.push.enabled || online.has(user.id)) continue;
    if (isQuiet(prefs, now) && !allowedDuringDnd(prefs, reason)) continue;
    for (const sub of await prefsRepo.subscriptions(sql, user.id)) {
      await outbox.enqueue(sql, {
        key: `push:${sub.id}:m${m.id}`,
        workspaceId: m.workspaceId,
        userId: user.id,
        transport: "push",
        kind: "message",
        payload: { subscriptionId: sub.id, messageId: m.id, channelId: m.channelId, reason },
      });
    }
  }
}
