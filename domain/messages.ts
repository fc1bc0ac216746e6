/**
 * Messages: idempotent send, history pages, threads, edit and delete within the window, reactions, read
 * positions. The REST routes and the WebSocket gateway both call these.
 */
import { z } from "zod";
import type { Sql } from "../db/client.ts";
import * as channelsRepo from "../db/repos/channels.ts";
import * as messagesRepo from "../db/repos/messages.ts";
import * as usersRepo from "../db/repos/users.ts";
import * as filesRepo from "../db/repos/files.ts";
import * as files from "./files.ts";
import { readSetting } from "./settings/workspace.ts";
import type { Message, SequencedEvent } from "../realtime/protocol.ts";
import type { Actor, Deps } from "./deps.ts";
import { AppError, conflict, forbidden, invalid, notFound } from "./errors.ts";
import { requireNotMaintenance } from "./admin/control.ts";
import {
  isChannelModerator,
  isConversation,
  mayRead,
  readable,
  requireOutranks,
  requirePermission,
  requirePost,
} from "./access.ts";
import { effectivePermissions } from "./permissions.ts";
import { withTx } from "./publish.ts";
import { hasBroadMention } from "./notifications/decide.ts";
import { parse } from "./validate.ts";
import { CLIENT_ID_CHARS, plainSend } from "./send_fast_check.ts";
import { actorFromUser, authenticateHash, sha256 } from "./auth.ts";

const ClientId = z.string().min(1).max(64).regex(CLIENT_ID_CHARS, "letters, digits, '_', '.', ':' or '-'");
/** One emoji (a single RGI emoji sequence, or one pictograph with its variation selector) … */
const ONE_EMOJI = /^(?:\p{RGI_Emoji}|\p{Extended_Pictographic}\uFE0F?)$/v;
/** … or a `:shortcode:` name. Nothing else: no text, no bidirectional or invisible characters. */
const SHORTCODE = /^:[a-z0-9_+-]{1,40}:$/;
export const Emoji = z.string().min(1).max(64).refine(
  (s) => SHORTCODE.test(s) || ONE_EMOJI.test(s),
  "one emoji or a :shortcode:",
);

/** The fields of a send, without the rule that joins them (OpenAPI documents these). */
export const sendFields = (maxChars: number) =>
  z.object({
    channelId: z.number().int().positive(),
    clientId: ClientId,
    body: z.string().max(maxChars, `at most ${maxChars} characters`),
    replyTo: z.number().int().positive().nullish(),
    type: z.enum(["text", "broadcast", "ticket_link"]).default("text"),
    /** Ids of files uploaded for this message (`POST /channels/{id}/files`). */
    attachments: z.array(z.number().int().positive()).max(10, "at most 10 files").optional(),
  }).strict();

const buildSendSchema = (maxChars: number) =>
  sendFields(maxChars).refine((m) => m.body.trim().length > 0 || (m.attachments?.length ?? 0) > 0, {
    message: "is empty",
    path: ["body"],
  });

const buildEditSchema = (maxChars: number) =>
  z.object({
    body: z.string().max(maxChars, `at most ${maxChars} characters`).refine(
      (s) => s.trim().length > 0,
      "is empty",
    ),
  }).strict();

/** Builds a schema once per limit: constructing a zod schema costs more than a whole send otherwise does. */
function memo<S>(build: (maxChars: number) => S): (maxChars: number) => S {
  const cache = new Map<number, S>();
  return (maxChars) => {
    let s = cache.get(maxChars);
    if (!s) cache.set(maxChars, s = build(maxChars));
    return s;
  };
}

export const sendSchema = memo(buildSendSchema);
export const editSchema = memo(buildEditSchema);

export const HistoryInput = z.object({
  before: z.coerce.number().int().positive().optional(),
  after: z.coerce.number().int().nonnegative().optional(),
  around: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const ReactionInput = z.object({ emoji: Emoji }).strict();
export const ReadInput = z.object({ seq: z.number().int().nonnegative() }).strict();

async function editWindowSeconds(sql: Sql, workspaceId: number): Promise<number> {
  return await readSetting(sql, workspaceId, "messages.edit_window_seconds");
}

/** @usernames in the body that name members of the channel. */
async function resolveMentions(
  sql: Sql,
  workspaceId: number,
  channelId: number,
  body: string,
): Promise<number[]> {
  const names = [
    ...new Set([...body.matchAll(/(?:^|[^\w@])@([a-zA-Z0-9._-]{1,64})/g)].map((m) => m[1].toLowerCase())),
  ];
  if (!names.length) return [];
  const mems = new Set((await channelsRepo.members(sql, channelId)).map((m) => m.userId));
  const ids: number[] = [];
  for (const n of names.slice(0, 50)) {
    const u = await usersRepo.byUsername(sql, workspaceId, n.replace(/[.]+$/, ""));
    if (u && mems.has(u.id)) ids.push(u.id);
  }
  return ids;
}

class DuplicateKey extends Error {}

export interface SendResult {
  message: Message;
  /** false when this was a retry of a send already stored. */
  created: boolean;
}

/**
 * Stores a message once per (sender, clientId). A retry with the same content returns the stored message;
 * the same key with different content is a 409. The result is returned only after the commit.
 *
 * Two routes store a send, against the same message columns (`db/repos/message_columns.ts`) and the same
 * event log: plain messages (no reply, mention or broadcast) are stored grouped with others arriving at
 * the same time (`send_batch.ts`); anything else, and whatever the group leaves out, one at a time
 * (`sendOne`), which also explains refusals. `tests/domain/messages_send_routes_test.ts` runs one suite
 * against both.
 */
export async function send(deps: Deps, actor: Actor, input: unknown): Promise<SendResult> {
  const max = deps.config.limits.messageChars;
  const p = plainSend(input, max) ?? parse(sendSchema(max), input);
  if (groupable(p)) {
    // The grouped statement checks maintenance itself (no round trip of its own per send).
    const o = await deps.sendBatcher.submit(actor, p);
    if (o.stored) return { message: o.message, created: true };
    try {
      await requireNotMaintenance(deps.db, actor);
    } catch (err) {
      if (o.charged) deps.limiter.refund(`send:${actor.userId}`, deps.config.limits.sendsPerMinute);
      throw err;
    }
    return await storeOne(deps, actor, p, o.charged);
  }
  await requireNotMaintenance(deps.db, actor);
  return await storeOne(deps, actor, p, false);
}

type SendInput = z.output<ReturnType<typeof sendSchema>>;

/** Sends the grouped route may store. */
export const groupable = (p: SendInput): p is SendInput & { type: "text" | "ticket_link" } =>
  p.replyTo == null && p.type !== "broadcast" && !p.body.includes("@") && !p.attachments?.length;

/** The one-at-a-time route for any send (the grouped route's fallback). */
export async function sendOne(deps: Deps, actor: Actor, input: unknown): Promise<SendResult> {
  return await storeOne(deps, actor, parse(sendSchema(deps.config.limits.messageChars), input), false);
}

/** `charged`: the grouped route already took this send's rate-limit token. */
async function storeOne(deps: Deps, actor: Actor, p: SendInput, charged: boolean): Promise<SendResult> {
  const existing = await findRetry(deps, actor, p);
  if (existing) {
    // A retry is answered from the database and not charged against the limit.
    if (charged) deps.limiter.refund(`send:${actor.userId}`, deps.config.limits.sendsPerMinute);
    return { message: existing, created: false };
  }
  if (!charged) {
    deps.limiter.take(
      `send:${actor.userId}`,
      deps.config.limits.sendsPerMinute,
      "You are sending messages too fast",
    );
  }
  if (p.type === "broadcast") requirePermission(actor, "chat.system_broadcast", "Only admins can broadcast");
  try {
    const ev = await withTx(deps, async (tx) => {
      const a = await readable(tx.sql, actor, p.channelId);
      requirePost(actor, a);
      if (p.replyTo != null) {
        const parent = await messagesRepo.byId(tx.sql, actor.workspaceId, p.replyTo);
        if (!parent || parent.channelId !== p.channelId) {
          throw invalid("replyTo: no such message in this channel");
        }
        if (parent.replyTo != null) throw invalid("replyTo: reply to the thread's first message");
      }
      const mentions = await resolveMentions(tx.sql, actor.workspaceId, p.channelId, p.body);
      return await tx.sequenced(actor.workspaceId, p.channelId, async (seq) => {
        const message = await messagesRepo.insert(tx.sql, {
          workspaceId: actor.workspaceId,
          channelId: p.channelId,
          senderId: actor.userId,
          clientId: p.clientId,
          seq,
          type: p.type,
          body: p.body,
          replyTo: p.replyTo ?? null,
          mentions,
          broadMention: hasBroadMention(p.body),
        });
        if (!message) throw new DuplicateKey();
        if (p.attachments?.length) {
          await files.attachTo(tx.sql, actor, p.attachments, {
            messageId: message.id,
            channelId: p.channelId,
          });
          message.attachments = (await messagesRepo.byId(tx.sql, actor.workspaceId, message.id))!.attachments;
        }
        if (p.replyTo != null) await messagesRepo.bumpReplyCount(tx.sql, p.replyTo);
        // The sender has read what they wrote.
        await channelsRepo.markRead(tx.sql, p.channelId, actor.userId, seq);
        return { type: "message_received" as const, channelId: p.channelId, seq, message };
      }, { newMessage: true });
    });
    return { message: ev.message, created: true };
  } catch (err) {
    if (!(err instanceof DuplicateKey)) throw err;
    // A concurrent send with the same key committed first: answer like a retry.
    const again = await findRetry(deps, actor, p);
    if (!again) throw err;
    return { message: again, created: false };
  }
}

async function findRetry(
  deps: Deps,
  actor: Actor,
  p: { clientId: string; channelId: number; body: string; replyTo?: number | null },
): Promise<Message | null> {
  // Compared with what was first sent (its hash), so a retry still matches after the message was edited.
  const prior = await messagesRepo.byClientId(deps.db, actor.userId, p.clientId, p.body);
  if (!prior) return null;
  if (
    prior.channelId !== p.channelId || !prior.sameBody ||
    (prior.replyTo ?? null) !== (p.replyTo ?? null)
  ) {
    throw conflict("This client id was already used for a different message");
  }
  return await messagesRepo.byId(deps.db, actor.workspaceId, prior.id);
}

/**
 * A message the actor may read, with its channel access. A message in a channel the actor cannot read gets
 * exactly the error a missing id gets, so ids do not reveal what exists.
 */
async function loadReadable(sql: Sql, actor: Actor, messageId: number) {
  const m = await messagesRepo.byId(sql, actor.workspaceId, messageId);
  if (!m) throw noSuchMessage();
  try {
    return { m, a: await readable(sql, actor, m.channelId) };
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") throw noSuchMessage();
    throw err;
  }
}

const noSuchMessage = () => notFound("No such message");

function withinWindow(deps: Deps, m: Message, seconds: number) {
  return deps.now().getTime() - new Date(m.createdAt).getTime() <= seconds * 1000;
}

export async function edit(deps: Deps, actor: Actor, messageId: number, input: unknown): Promise<Message> {
  const { body } = parse(editSchema(deps.config.limits.messageChars), input);
  const ev = await withTx(deps, async (tx) => {
    const { m, a } = await loadReadable(tx.sql, actor, messageId);
    if (m.senderId !== actor.userId) throw forbidden("You can only edit your own messages");
    if (m.deletedAt) throw new AppError("deleted", 409, "This message was deleted");
    // Editing is posting: not when blocked, archived, or read-only for a non-moderator.
    requirePost(actor, a);
    const win = await editWindowSeconds(tx.sql, actor.workspaceId);
    if (!withinWindow(deps, m, win)) {
      throw new AppError(
        "edit_window_passed",
        403,
        `Messages can be edited for ${Math.round(win / 60)} minutes`,
      );
    }
    const mentions = await resolveMentions(tx.sql, actor.workspaceId, m.channelId, body);
    await messagesRepo.edit(tx.sql, messageId, body, mentions, hasBroadMention(body));
    const message = (await messagesRepo.byId(tx.sql, actor.workspaceId, messageId))!;
    return await tx.sequenced(actor.workspaceId, m.channelId, (seq) => ({
      type: "message_updated" as const,
      channelId: m.channelId,
      seq,
      message,
    }));
  });
  return ev.message;
}

export async function remove(deps: Deps, actor: Actor, messageId: number): Promise<void> {
  let hadFiles = false;
  await withTx(deps, async (tx) => {
    const { m, a } = await loadReadable(tx.sql, actor, messageId);
    if (m.deletedAt) return;
    const own = m.senderId === actor.userId;
    // Channel roles moderate channels only: DMs and groups have no moderators.
    const moderator = actor.permissions.has("chat.delete_messages") ||
      isChannelModerator(a.member, a.channel) ||
      actor.permissions.has("chat.moderate_channels");
    if (!own && moderator && m.senderId != null) {
      // Only on someone of lower rank.
      const sender = await usersRepo.byId(tx.sql, actor.workspaceId, m.senderId);
      if (sender) {
        requireOutranks(actor, a, {
          permissions: effectivePermissions(sender.role, sender.permissions, sender.rolePermissions),
          member: await channelsRepo.member(tx.sql, m.channelId, m.senderId),
        }, "You cannot delete messages of someone of equal or higher rank");
      }
    }
    if (!moderator) {
      if (!own) throw forbidden("You can only delete your own messages");
      const win = await editWindowSeconds(tx.sql, actor.workspaceId);
      if (!withinWindow(deps, m, win)) {
        throw new AppError(
          "edit_window_passed",
          403,
          `Messages can be deleted for ${Math.round(win / 60)} minutes`,
        );
      }
    }
    const deletedAt = await messagesRepo.softDelete(tx.sql, messageId);
    hadFiles = (await filesRepo.markDeletedForMessage(tx.sql, messageId)) > 0;
    await tx.sequenced(actor.workspaceId, m.channelId, (seq) => ({
      type: "message_deleted" as const,
      channelId: m.channelId,
      seq,
      messageId,
      deletedAt,
    }));
  });
  // Its files' bytes go right after the commit (a failure here leaves them to the periodic sweep).
  if (hadFiles) await files.sweep(deps).catch((e) => console.error("files: sweep after delete:", e));
}

export async function react(
  deps: Deps,
  actor: Actor,
  messageId: number,
  input: unknown,
  add: boolean,
): Promise<void> {
  const { emoji } = parse(ReactionInput, input);
  await withTx(deps, async (tx) => {
    const { m, a } = await loadReadable(tx.sql, actor, messageId);
    if (!a.member) throw new AppError("not_member", 403, "Join the channel to react");
    if (!a.member.canPost) throw new AppError("blocked", 403, "You have been blocked in this channel");
    if (m.deletedAt) throw new AppError("deleted", 409, "This message was deleted");
    if (a.channel.archivedAt) throw new AppError("archived", 403, "This channel is archived and read-only");
    const changed = add
      ? await messagesRepo.addReaction(tx.sql, {
        messageId,
        userId: actor.userId,
        workspaceId: actor.workspaceId,
        emoji,
      })
      : await messagesRepo.removeReaction(tx.sql, messageId, actor.userId, emoji);
    if (!changed) return;
    await tx.sequenced(actor.workspaceId, m.channelId, (seq) => ({
      type: add ? "reaction_added" as const : "reaction_removed" as const,
      channelId: m.channelId,
      seq,
      messageId,
      userId: actor.userId,
      emoji,
    }));
  });
}

export interface HistoryPage {
  messages: Message[];
  /** Pass as `before` for older messages; null at the start of the channel. */
  olderCursor: number | null;
  /** Pass as `after` for newer messages; null when this page reaches the newest. */
  newerCursor: number | null;
  lastSeq: number;
}

/** Top-level messages, newest page by default, or around/before/after a message id. */
export async function history(
  deps: Deps,
  actor: Actor,
  channelId: number,
  input: unknown,
): Promise<HistoryPage> {
  const p = parse(HistoryInput, input);
  if (p.around !== undefined) return await aroundPage(deps, actor, channelId, p.around, p.limit);
  return JSON.parse(await pageText(deps, actor, channelId, p)) as HistoryPage;
}

/**
 * `history` as the JSON text of its `HistoryPage`, for the REST route to send as it is: the newest page and
 * pages before/after an id are built by Postgres (`messagesRepo.pageWithAccess`) and never parsed here.
 */
export async function historyResponse(
  deps: Deps,
  actor: Actor,
  channelId: number,
  input: unknown,
): Promise<string> {
  const p = parse(HistoryInput, input);
  if (p.around !== undefined) {
    return JSON.stringify(await aroundPage(deps, actor, channelId, p.around, p.limit));
  }
  return await pageText(deps, actor, channelId, p);
}

/**
 * `historyResponse` for a request's session token, the session read in the page's own statement
 * (`messagesRepo.pageWithSession`): one round trip instead of `auth.authenticate`'s and the page's
 * (bench/notes/history_page.md, "The latest history page in one round trip", fourteenth pass). The same
 * rules: null (the caller's 401) when the token is no live session of an active user, as `auth.authenticate`;
 * `admit` (the transport's checks of the actor, e.g. an embed session's origin) runs before the page is used,
 * and for an embed session before it is read; then `mayRead`. Input the statement does not take (an `around`
 * page, a bad query) goes the two-statement way, after the session, so it is refused as before.
 */
export async function historyForToken(
  deps: Deps,
  token: string | null,
  channelId: number,
  input: unknown,
  admit: (actor: Actor) => Promise<void>,
): Promise<string | null> {
  if (!token || token.length > 200) return null;
  const hash = await sha256(token);
  let p: z.output<typeof HistoryInput> | null = null;
  try {
    p = parse(HistoryInput, input);
  } catch { /* refused below, once the session is known */ }
  if (!p || p.around !== undefined) {
    const actor = await authenticateHash(deps, hash);
    if (!actor) return null;
    await admit(actor);
    return await historyResponse(deps, actor, channelId, input);
  }
  const read = await messagesRepo.pageWithSession(deps.db, hash, channelId, p);
  if (!read.user || read.user.deactivatedAt) return null;
  const actor = actorFromUser(read.user, hash);
  await admit(actor);
  // An embed session: its page is read only now that its origin has been admitted.
  if (read.found === undefined) return await pageText(deps, actor, channelId, p);
  mayRead(actor, read.found);
  return read.found!.page;
}

/** The newest page, or the one before/after an id, as `HistoryPage` JSON text. */
async function pageText(
  deps: Deps,
  actor: Actor,
  channelId: number,
  p: { before?: number; after?: number; limit: number },
): Promise<string> {
  // One round trip: the channel, the caller's membership and the page, built by Postgres; the rule is
  // checked before the page is used (a refused caller gets the same answer as from `readable`).
  const found = await messagesRepo.pageWithAccess(deps.db, actor.workspaceId, channelId, actor.userId, {
    before: p.before,
    after: p.after,
    limit: p.limit,
  });
  mayRead(actor, found);
  return found!.page;
}

/** The page around a message: half before it (it included), half after. */
async function aroundPage(
  deps: Deps,
  actor: Actor,
  channelId: number,
  around: number,
  limit: number,
): Promise<HistoryPage> {
  const a = await readable(deps.db, actor, channelId);
  const half = Math.max(1, Math.floor(limit / 2));
  const older = await messagesRepo.page(deps.db, channelId, { before: around + 1, limit: half + 1 });
  const newer = await messagesRepo.page(deps.db, channelId, { after: around, limit: half + 1 });
  const hasOlder = older.length > half;
  const hasNewer = newer.length > half;
  const messages = [...older.slice(hasOlder ? 1 : 0), ...newer.slice(0, half)];
  return {
    messages,
    olderCursor: hasOlder && messages.length ? messages[0].id : null,
    newerCursor: hasNewer && messages.length ? messages[messages.length - 1].id : null,
    lastSeq: a.channel.lastSeq,
  };
}

export async function thread(deps: Deps, actor: Actor, messageId: number) {
  const { m } = await loadReadable(deps.db, actor, messageId);
  return { parent: m, replies: await messagesRepo.thread(deps.db, messageId, 500) };
}

export async function get(deps: Deps, actor: Actor, messageId: number): Promise<Message> {
  return (await loadReadable(deps.db, actor, messageId)).m;
}

/** Moves the actor's read position; others in the conversation get a read receipt, the actor's tabs new counts. */
export async function markRead(deps: Deps, actor: Actor, channelId: number, input: unknown) {
  const { seq } = parse(ReadInput, input);
  return await withTx(deps, async (tx) => {
    const a = await readable(tx.sql, actor, channelId);
    if (!a.member) throw new AppError("not_member", 403, "You are not a member of this channel");
    const now = await channelsRepo.markRead(tx.sql, channelId, actor.userId, seq);
    if (now === null || now === a.member.lastReadSeq) return { lastReadSeq: now ?? a.member.lastReadSeq };
    // Receipts are shown in DMs and groups only; in channels read positions stay private.
    if (isConversation(a.channel)) {
      tx.emit(actor.workspaceId, { type: "read_receipt", channelId, userId: actor.userId, seq: now }, {
        kind: "channel",
        channelId,
      });
    }
    const counts = await channelsRepo.unreadCounts(tx.sql, actor.workspaceId, actor.userId, channelId);
    tx.emit(actor.workspaceId, { type: "unread_counts", counts }, { kind: "users", userIds: [actor.userId] });
    return { lastReadSeq: now };
  });
}

/**
 * Resume for a reconnecting client, in one query whatever the number of channels: for each of the actor's
 * channels it lists with the last sequence it holds, the events it missed (in order), or the channel in
 * `resync` when it is further behind than the replay limit or ahead of the channel. `resumed` has the
 * channels resumed, with the sequence resumed from. Channels that are not the actor's are ignored.
 */
export async function resume(
  deps: Deps,
  actor: Actor,
  wanted: { channelId: number; after: number }[],
): Promise<{ events: SequencedEvent[]; resync: number[]; resumed: Map<number, number> }> {
  requirePermission(actor, "chat.access_channels");
  const limit = deps.config.ws.replayLimit;
  const rows = await messagesRepo.eventsAfterMany(deps.db, actor.workspaceId, actor.userId, wanted, limit);
  const after = new Map(wanted.map((w) => [w.channelId, w.after]));
  const events: SequencedEvent[] = [];
  const resync = new Set<number>();
  const resumed = new Map<number, number>();
  for (const r of rows) {
    const from = after.get(r.channelId)!;
    if (r.lastSeq - from > limit || from > r.lastSeq) resync.add(r.channelId);
    else {
      resumed.set(r.channelId, from);
      if (r.event) events.push(r.event);
    }
  }
  return { events, resync: [...resync], resumed };
}

/**
 * Events after `afterSeq` for replay, or null when the client must resync: further behind than the replay
 * limit, or ahead of the channel (its state is from another database, say one restored from a backup).
 */
export async function eventsSince(deps: Deps, actor: Actor, channelId: number, afterSeq: number) {
  const a = await readable(deps.db, actor, channelId);
  const limit = deps.config.ws.replayLimit;
  if (a.channel.lastSeq - afterSeq > limit || afterSeq > a.channel.lastSeq) return null;
  return await messagesRepo.eventsAfter(deps.db, channelId, afterSeq, limit);
}
