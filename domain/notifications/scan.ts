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
import { broadMention, defaultLevel, MAILED, reasonFor } from "./decide.ts";
import { allowedDuringDnd, isQuiet } from "./dnd.ts";
import { type Prefs, prefsFrom, workspaceNotificationView } from "./prefs.ts";
import type { Level } from "./schemas.ts";
import * as preferencesRepo from "../../db/repos/preferences.ts";
import { resolvePreferences } from "../preferences/user.ts";
import { isValidEmail } from "./validate.ts";

/**
 * Most messages one scan reads (one transaction); a scan that read fewer has caught up. A scan costs a dozen
 * statements and a commit whatever it reads, and under load the worker scans back to back: at 3,800 messages/s
 * in channels of 10, batches of 200 were ~19 scans a second (issue 16, eleventh pass).
 */
export const SCAN_BATCH = 1000;

/**
 * Opt-in timing of a scan's phases (the bench's Parley wrapper sets `log` with `BENCH_TIMELINE`): each phase
 * is the time since the previous mark, a statement's round trip or the JavaScript between two. Off (null) a
 * scan does one null check per mark.
 */
export const scanStages: { log: ((phase: string, startMs: number, ms: number) => void) | null } = {
  log: null,
};

let lastMark = 0;
function mark(phase: string) {
  const log = scanStages.log;
  if (!log) return;
  const now = performance.now();
  if (phase !== "due") log(phase, lastMark, now - lastMark);
  lastMark = now;
}

/**
 * Conversation kinds whose messages a scan always reads in full (when live): their default level is "all"
 * unless the workspace changed it, so nearly every message in one owes someone. Any other message is read
 * only when it names someone, has a broad mention, or someone in its conversation takes every message
 * (`ScanContext.load`).
 */
const ALWAYS_READ = ["direct_message", "group"] as const;

/** Scans one batch; returns how many messages it looked at (0: caught up). */
export async function scanOnce(deps: Deps): Promise<number> {
  const cfg = deps.config.notifications;
  mark("due");
  // Idle: one plain read. Locking the cursor made every tick a write transaction, and its commit a WAL flush
  // once a second on an idle server (issue 16, fifth pass).
  if (!(await outbox.scanDue(deps.db, new Date(deps.now().getTime() - cfg.scanGraceMs)))) return 0;
  mark("scanDue");
  const n = await deps.db.tx(async (sql) => {
    mark("begin");
    const cursor = await outbox.cursor(sql);
    const after = cursor.id;
    mark("cursor");
    const now = deps.now();
    const horizon = new Date(now.getTime() - cfg.scanGraceMs);
    // The batch per channel: how many messages, the newest id, and which can notify someone without being
    // read for everyone (bench/notes/notification_scanner.md, "The notification scan reads what can notify").
    const chans = await outbox.batchChannels(sql, after, horizon, SCAN_BATCH, ALWAYS_READ);
    mark("batch");
    if (!chans.length) return 0;
    let lastId = after, count = 0;
    for (const c of chans) {
      count += c.count;
      if (c.lastId > lastId) lastId = c.lastId;
    }
    // A scan that writes nothing but the cursor commits without waiting for its WAL flush: if that commit is
    // lost (a crash within a fraction of a second, before any later commit flushed the WAL past it), the
    // cursor is back where it was and the next scan reads the same messages again, which produced nothing
    // and are judged afresh: nothing duplicated, nothing lost. The first write of an item or a push sets the
    // transaction back to the server's setting (`ScanContext.writing`), so a scan that queued something
    // commits as before. Not on the first start: the cursor row it creates stays durable
    // (bench/notes/notification_scanner.md, "The notification scan reads what can notify").
    if (!cursor.created) sql.query("SET LOCAL synchronous_commit = off").catch(() => {});
    // The cursor moves in this transaction whatever comes next, so its update goes out with the batch's first
    // reads (pipelined on Postgres) instead of a round trip of its own at the end; it is awaited before the
    // commit, and a failure of it fails the scan (the transaction rolls back) as before.
    const moved = outbox.setCursor(sql, lastId);
    moved.catch(() => {});
    const ctx = new ScanContext(sql);
    const msgs = await ctx.load(chans, after, lastId, horizon);
    for (const m of msgs) {
      if (m.deleted || m.type === "system" || m.senderId === null) continue;
      await forMessage(deps, sql, ctx, m, now);
    }
    mark("forMessage");
    await moved;
    if (ctx.durable) await ctx.durable;
    mark("setCursor");
    return count;
  });
  mark("commit");
  return n;
}

/**
 * What a batch needs, read set-based when the batch starts (a handful of round trips per batch, not
 * several per message and one per person): workspace settings, each channel's members and levels, who is
 * online, the people, and their preferences (resolved once per distinct set of stored choices).
 */
class ScanContext {
  ws = new Map<number, WorkspaceSettings>();
  members = new Map<number, channelsRepo.MemberRow[]>();
  levels = new Map<number, Map<number, string>>();
  online = new Set<number>();
  /** Everyone a message of the batch may concern, and its senders. */
  users = new Map<number, usersRepo.RecipientRow>();
  /**
   * The senders in full (their role decides whether an @channel counts), only of messages with one: for any
   * other message whether the sender may use it changes nothing (`reasonFor`), and reading every sender's row
   * with its role (~450 a scan at 500 msg/s) was ~2 ms of each scan (bench/notes/steady_tail.md, "Why a WAL
   * flush takes 35-90 ms, and the scanner's senders", twelfth pass).
   */
  senders = new Map<number, usersRepo.UserRow>();
  /** `broadMention` of each message of the batch, by id. */
  broad = new Map<number, "here" | "channel" | null>();
  stored = new Map<number, Record<string, unknown>>();
  /** Push devices of the people with no Parley tab open (the only ones pushed to). */
  devices = new Map<number, prefsRepo.SubscriptionRow[]>();
  #reachable = new Map<number, Reachable>();
  #views = new Map<number, ReturnType<typeof workspaceNotificationView>>();
  #prefs = new Map<number, Prefs>();
  #resolved = new Map<string, Prefs>();
  /** The statement that set the transaction's commit back to the server's setting, once something is written. */
  durable: Promise<unknown> | null = null;
  constructor(readonly sql: Sql) {}

  /** Before the scan writes an item or a push: its commit waits for the WAL flush again (see `scanOnce`). */
  writing() {
    if (this.durable) return;
    // Sent before the write (in order on the transaction's connection); awaited before the commit.
    this.durable = this.sql.query("SET LOCAL synchronous_commit TO DEFAULT");
    this.durable.catch(() => {});
  }

  /**
   * Reads the batch's messages that can owe someone something, and what deciding it needs. A message is read
   * when it can notify someone without being a message they take whatever it says: one naming someone, with
   * a broad mention (or stored before that was recorded), or in a direct or group conversation
   * (`batchChannels`' `notable`); and every message of a channel where someone takes every message (a stored
   * level "all", the workspace's default "all" for its kind) or has keywords (which need the body). Any other
   * message owes nobody by `reasonFor` (no mention, no broad mention, no keyword, no level "all"), so it is
   * not read at all: in the steady workload that was ~500 rows with their bodies per scan
   * (bench/notes/notification_scanner.md, "The notification scan reads what can notify", fourteenth pass).
   * Returns the messages read, in id order.
   */
  async load(
    chans: outbox.BatchChannel[],
    after: number,
    lastId: number,
    horizon: Date,
  ): Promise<outbox.ScannedMessage[]> {
    const sql = this.sql;
    const channelIds = chans.map((c) => c.channelId);
    const notable = chans.flatMap((c) => c.notable);
    mark("filter");
    // The reads that need only the batch go out together (one round trip on Postgres, where a transaction's
    // statements sent without waiting are pipelined; one after the other on PGlite): each scan was a dozen
    // round trips in a row, each waiting its turn on a busy event loop (bench/notes/notification_scanner.md,
    // "The notification scanner off the steady tail", thirteenth pass).
    const wsIds = [...new Set(chans.map((c) => c.workspaceId))];
    const [settings, levelRows, keywordRows, notableRows] = await Promise.all([
      Promise.all(wsIds.map((id) => readSettings(sql, id))),
      prefsRepo.levelsForChannels(sql, channelIds),
      preferencesRepo.membersWithKey(sql, channelIds, "keywords"),
      outbox.scannedByIds(sql, notable),
    ]);
    mark("settings+levels+keywords");
    wsIds.forEach((id, i) => this.ws.set(id, settings[i]));
    for (const l of levelRows) {
      let map = this.levels.get(l.channelId);
      if (!map) this.levels.set(l.channelId, map = new Map());
      map.set(l.userId, l.level);
    }
    // Channels where any message may owe someone: read whole (a direct or group conversation already is).
    const keywordChannels = new Set(keywordRows.map((k) => Number(k.channelId)));
    const everyMessage = new Set<number>();
    for (const c of chans) {
      if ((ALWAYS_READ as readonly string[]).includes(c.channelKind)) continue;
      if (
        keywordChannels.has(c.channelId) ||
        defaultLevel(c.channelKind, this.wsSettings(c.workspaceId).defaultLevels) === "all" ||
        [...(this.levels.get(c.channelId)?.values() ?? [])].includes("all")
      ) everyMessage.add(c.channelId);
    }
    const wholeRows = await outbox.scannedInChannels(sql, after, lastId, horizon, [...everyMessage]);
    mark("whole");
    const read = notableRows.filter((m) => !everyMessage.has(m.channelId)).concat(wholeRows);
    read.sort((a, b) => a.id - b.id);
    const msgs = read.filter((m) => !m.deleted && m.type !== "system" && m.senderId !== null);
    // Who a message of the batch may owe something, decided from what is cheap before any person's row is
    // read: `reasonFor` gives nothing to a muted member, and to anyone else only for a mention of them, a
    // broad mention (allowed or not: counted either way here), a keyword (only people who stored some have
    // any), or the level "all" (their stored level or the workspace default). Everyone else in a channel is
    // skipped: in the steady workload that was ~2,000 people's rows and preferences read per scan for the
    // few a message can reach (bench/notes/notification_scanner.md, "A shorter notification scan").
    const keywords = new Set<number>();
    for (const k of keywordRows) keywords.add(Number(k.userId));
    /** Per channel: its newest message, the newest with a broad mention, the newest naming each person. */
    const facts = new Map<
      number,
      { newest: outbox.ScannedMessage; broadSeq: number; named: Map<number, number> }
    >();
    const senders = new Map<number, Set<number>>();
    for (const m of msgs) {
      let from = senders.get(m.workspaceId);
      if (!from) senders.set(m.workspaceId, from = new Set());
      const broad = broadMention(m.body);
      this.broad.set(m.id, broad);
      if (m.senderId !== null && broad) from.add(m.senderId);
      let c = facts.get(m.channelId);
      if (!c) facts.set(m.channelId, c = { newest: m, broadSeq: -Infinity, named: new Map() });
      if (c.newest.seq < m.seq) c.newest = m;
      if (broad && c.broadSeq < m.seq) c.broadSeq = m.seq;
      for (const id of m.mentions) if ((c.named.get(id) ?? -Infinity) < m.seq) c.named.set(id, m.seq);
    }
    // The members themselves only where some can be reached: every member of a channel with a broad mention
    // in the batch or whose kind defaults to "all" (a DM or group, or channels where the workspace says so);
    // elsewhere only those with a stored level "all", keywords, or a mention in the batch. A channel with none
    // costs nothing per member: at 500 msg/s in channels of 20 that was every member of ~100 channels (~2,000
    // rows) read, sorted and looked at for no one (bench/notes/notification_scanner.md, "The notification
    // scanner off the steady tail", thirteenth pass).
    const full: number[] = [];
    const pairs = new Map<number, Set<number>>();
    const some = (channelId: number, userId: number) => {
      let set = pairs.get(channelId);
      if (!set) pairs.set(channelId, set = new Set());
      set.add(userId);
    };
    for (const { newest: m, broadSeq, named } of facts.values()) {
      const defaults = this.wsSettings(m.workspaceId).defaultLevels;
      if (broadSeq > -Infinity || defaultLevel(m.channelKind, defaults) === "all") {
        full.push(m.channelId);
        continue;
      }
      for (const [userId, level] of this.levels.get(m.channelId) ?? []) {
        if (level === "all") some(m.channelId, userId);
      }
      for (const userId of named.keys()) some(m.channelId, userId);
    }
    const whole = new Set(full);
    for (const k of keywordRows) {
      if (!whole.has(Number(k.channelId))) some(Number(k.channelId), Number(k.userId));
    }
    const pairChannels: number[] = [], pairUsers: number[] = [];
    for (const [channelId, users] of pairs) {
      for (const userId of users) {
        pairChannels.push(channelId);
        pairUsers.push(userId);
      }
    }
    const memberRows = await channelsRepo.someMembersOf(sql, full, pairChannels, pairUsers);
    mark("members");
    for (const row of memberRows) {
      let list = this.members.get(row.channelId);
      if (!list) this.members.set(row.channelId, list = []);
      list.push(row);
    }
    for (const list of this.members.values()) {
      list.sort((a, b) => a.joinedAt < b.joinedAt ? -1 : a.joinedAt > b.joinedAt ? 1 : 0);
    }
    const people = new Map<number, Set<number>>();
    for (const { newest: m, broadSeq, named } of facts.values()) {
      let set = people.get(m.workspaceId);
      if (!set) people.set(m.workspaceId, set = new Set());
      for (const x of this.members.get(m.channelId) ?? []) {
        const level = this.levelOf(m, x.userId);
        if (level === "mute") continue;
        const unread = x.lastReadSeq < m.seq && (level === "all" || keywords.has(x.userId));
        if (unread || x.lastReadSeq < broadSeq || x.lastReadSeq < (named.get(x.userId) ?? -Infinity)) {
          set.add(x.userId);
        }
      }
    }
    mark("decide");
    const all: number[] = [];
    for (const [ws, ids] of people) {
      for (const u of await usersRepo.recipientsByIds(sql, ws, [...ids])) this.users.set(u.id, u);
      for (const u of await usersRepo.byIds(sql, ws, [...senders.get(ws)!])) this.senders.set(u.id, u);
      all.push(...ids);
    }
    mark("people");
    this.online = await outbox.online(sql, all, LIVE_SECONDS);
    this.stored = await preferencesRepo.ofUsers(sql, all);
    for (const d of await prefsRepo.subscriptionsOf(sql, all.filter((id) => !this.online.has(id)))) {
      let list = this.devices.get(d.userId);
      if (!list) this.devices.set(d.userId, list = []);
      list.push(d);
    }
    mark("personal");
    return read;
  }

  /**
   * The members of a message's channel whom it can reach without naming them: keywords of their own, or the
   * level "all" where that means something (a direct or group conversation mails; elsewhere a push, only to
   * people with push on and no tab open). Anyone else is reached only by an @mention of them or a broad one,
   * so a message without one skips them: in a channel of 1,000, checking every member of every message was
   * most of the scanner's time (issue 16, tenth pass). Read once per channel per batch.
   */
  reachable(m: outbox.ScannedMessage): Reachable {
    let r = this.#reachable.get(m.channelId);
    if (r) return r;
    r = { ids: new Set(), members: [] };
    const mails = m.channelKind === "direct_message" || m.channelKind === "group";
    for (const x of this.members.get(m.channelId) ?? []) {
      const user = this.users.get(x.userId);
      if (!user || user.deactivatedAt || user.workspaceId !== m.workspaceId) continue;
      const level = this.levelOf(m, x.userId);
      if (level === "mute") continue;
      const prefs = this.prefsOf(m.workspaceId, x.userId);
      const all = level === "all" && (mails || (prefs.push.enabled && !this.online.has(x.userId)));
      if (!all && !prefs.keywords.length) continue;
      r.ids.add(x.userId);
      r.members.push(x);
    }
    this.#reachable.set(m.channelId, r);
    return r;
  }

  /** A person's level in a message's conversation: their own choice, or the workspace default for its kind. */
  levelOf(m: outbox.ScannedMessage, userId: number): Level {
    return (this.levels.get(m.channelId)?.get(userId) as Level | undefined) ??
      defaultLevel(m.channelKind, this.wsSettings(m.workspaceId).defaultLevels);
  }

  /** A workspace's notification settings, as the rules read them (made once per workspace per batch). */
  wsSettings(id: number): ReturnType<typeof workspaceNotificationView> {
    let view = this.#views.get(id);
    if (!view) this.#views.set(id, view = workspaceNotificationView(this.ws.get(id)!));
    return view;
  }

  prefsOf(workspaceId: number, userId: number): Prefs {
    let p = this.#prefs.get(userId);
    if (!p) {
      const stored = this.stored.get(userId) ?? {};
      // Most people store nothing or the same few choices: resolve each distinct set once.
      const key = `${workspaceId}:${JSON.stringify(stored)}`;
      p = this.#resolved.get(key);
      if (!p) this.#resolved.set(key, p = prefsFrom(resolvePreferences(stored, this.ws.get(workspaceId)!)));
      this.#prefs.set(userId, p);
    }
    return p;
  }
}

/** See `ScanContext.reachable`. */
interface Reachable {
  ids: Set<number>;
  /** The same people as `ids`, in the channel's member order. */
  members: channelsRepo.MemberRow[];
}

async function forMessage(deps: Deps, sql: Sql, ctx: ScanContext, m: outbox.ScannedMessage, now: Date) {
  const ws = ctx.wsSettings(m.workspaceId);
  const members = ctx.members.get(m.channelId) ?? [];
  const online = ctx.online;
  // Whether the sender may use @here/@channel here is asked only of a message that has one: without one,
  // `broad` is null either way (its sender's row is not read: `ScanContext.senders`).
  const mention = ctx.broad.get(m.id) ?? null;
  const sender = mention ? ctx.senders.get(m.senderId!) : undefined;
  const senderMember = mention ? members.find((x) => x.userId === m.senderId) : undefined;
  const broadAllowed = mention !== null && (members.length <= ws.broadMentionThreshold ||
    (!!sender && sender.workspaceId === m.workspaceId &&
      effectivePermissions(sender.role, sender.permissions, sender.rolePermissions).has(
        "chat.moderate_channels",
      )) ||
    (!!senderMember && senderMember.role !== "member"));
  const broad = broadAllowed ? mention : null;
  // Who may have something owed: with a broad mention everyone; otherwise who the message reaches unnamed,
  // and those it names.
  const reach = broad ? null : ctx.reachable(m);
  const candidates = !reach
    ? members
    : m.mentions.length
    ? members.filter((x) => reach.ids.has(x.userId) || m.mentions.includes(x.userId))
    : reach.members;
  const others = candidates.filter((x) => x.userId !== m.senderId && x.lastReadSeq < m.seq);
  if (!others.length) return;
  const users = ctx.users;
  const cfg = deps.config.notifications;
  // What is the same for every member, once per message.
  const facts = {
    senderId: m.senderId,
    channelKind: m.channelKind,
    body: m.body,
    mentions: m.mentions,
    broadAllowed,
    broad,
  };
  for (const member of others) {
    const user = users.get(member.userId);
    if (!user || user.deactivatedAt) continue;
    if (user.workspaceId !== m.workspaceId) continue;
    const prefs = ctx.prefsOf(m.workspaceId, user.id);
    const reason = reasonFor(
      facts,
      {
        userId: user.id,
        level: ctx.levelOf(m, user.id),
        keywords: prefs.keywords,
        online: online.has(user.id),
      },
    );
    if (!reason) continue;
    if (MAILED.includes(reason) && prefs.email.enabled && isValidEmail(user.email)) {
      const due = new Date(new Date(m.createdAt).getTime() + prefs.email.delayMinutes * cfg.minuteMs);
      ctx.writing();
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
    for (const sub of ctx.devices.get(user.id) ?? []) {
      ctx.writing();
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
