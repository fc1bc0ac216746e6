/**
 * Monitor (chat.monitor_all): a read-only view of any conversation of the workspace, filtered by channel,
 * person, date and text, and its export as CSV or JSON. Every view and every export is written to the
 * audit log (a view's follow-up polls for newer messages, `after`, belong to the view and are not).
 * Exports stream page by page: the server never holds more than one page, whatever the size.
 */
import { z } from "zod";
import * as monitorRepo from "../../db/repos/monitor.ts";
import * as channelsRepo from "../../db/repos/channels.ts";
import * as usersRepo from "../../db/repos/users.ts";
import type { Actor, Deps } from "../deps.ts";
import { notFound } from "../errors.ts";
import { requirePermission } from "../access.ts";
import { parse } from "../validate.ts";
import { csvLine, record, type RequestCtx } from "./audit.ts";

const id = z.coerce.number().int().positive().max(2 ** 53);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/, "a date as YYYY-MM-DD");
const Filter = z.object({
  channelId: id.optional(),
  userId: id.optional(),
  from: day.optional(),
  to: day.optional(),
  q: z.string().trim().max(100).optional(),
});
export const MonitorQuery = Filter.extend({
  before: id.optional(),
  after: id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
}).strict();
export const MonitorExportQuery = Filter.extend({ format: z.enum(["csv", "json"]).default("csv") }).strict();

const PAGE = 1000;

async function filterOf(
  deps: Deps,
  actor: Actor,
  p: z.output<typeof Filter>,
): Promise<monitorRepo.MonitorFilter> {
  requirePermission(actor, "chat.monitor_all");
  if (p.channelId && !(await channelsRepo.byId(deps.db, actor.workspaceId, p.channelId))) {
    throw notFound("No such conversation");
  }
  if (p.userId && !(await usersRepo.byId(deps.db, actor.workspaceId, p.userId))) {
    throw notFound("No such person");
  }
  return { channelId: p.channelId, userId: p.userId, from: p.from, to: p.to, q: p.q || undefined };
}

/** `GET /api/admin/monitor`: one page of messages, newest first (or, with `after`, the newer ones). */
export async function read(deps: Deps, actor: Actor, ctx: RequestCtx, input: unknown) {
  requirePermission(actor, "chat.monitor_all");
  const p = parse(MonitorQuery, input);
  const f = await filterOf(deps, actor, p);
  const [messages, total] = await Promise.all([
    monitorRepo.page(deps.db, actor.workspaceId, f, { limit: p.limit, before: p.before, after: p.after }),
    monitorRepo.count(deps.db, actor.workspaceId, f),
  ]);
  if (!p.after) {
    await record(deps.db, actor, ctx, "monitor_read", f.channelId ?? "", { ...f, before: p.before });
  }
  return { messages, total };
}

const COLUMNS = ["id", "created_at", "channel", "kind", "sender_id", "sender", "reply_to", "body"] as const;

/**
 * `GET /api/admin/monitor/export`: the filtered messages, oldest first, as CSV or a JSON array, streamed in
 * pages of 1,000 (bounded memory). `total` is for a progress indicator (`x-total-count`).
 */
export async function exportStream(deps: Deps, actor: Actor, ctx: RequestCtx, input: unknown) {
  requirePermission(actor, "chat.monitor_all");
  const p = parse(MonitorExportQuery, input);
  const f = await filterOf(deps, actor, p);
  const total = await monitorRepo.count(deps.db, actor.workspaceId, f);
  await record(deps.db, actor, ctx, "monitor_exported", f.channelId ?? "", { ...f, format: p.format, total });
  const enc = new TextEncoder();
  let after = 0;
  let first = true;
  const json = p.format === "json";
  const stream = new ReadableStream<Uint8Array>({
    async pull(ctl) {
      if (first && !json) ctl.enqueue(enc.encode(csvLine([...COLUMNS])));
      const rows = await monitorRepo.page(deps.db, actor.workspaceId, f, { limit: PAGE, after });
      if (!rows.length) {
        if (json) ctl.enqueue(enc.encode(first ? "[]\n" : "\n]\n"));
        return ctl.close();
      }
      after = rows[rows.length - 1].id;
      const text = json
        ? rows.map((r, i) => (first && i === 0 ? "[\n" : ",\n") + JSON.stringify(r)).join("")
        : rows.map((r) =>
          csvLine([r.id, r.createdAt, r.channel, r.kind, r.senderId, r.sender, r.replyTo, r.body])
        ).join("");
      first = false;
      ctl.enqueue(enc.encode(text));
    },
  }, { highWaterMark: 0 });
  const stamp = deps.now().toISOString().slice(0, 10);
  return {
    stream,
    total,
    contentType: json ? "application/json; charset=utf-8" : "text/csv; charset=utf-8",
    filename: `parley-messages-${stamp}.${p.format}`,
  };
}

/** What Monitor's filters offer: every channel (public and private) and every person of the workspace. */
export async function monitorChoices(deps: Deps, actor: Actor) {
  requirePermission(actor, "chat.monitor_all");
  const [channels, people] = await Promise.all([
    monitorRepo.channelChoices(deps.db, actor.workspaceId),
    monitorRepo.peopleChoices(deps.db, actor.workspaceId),
  ]);
  return { channels, people };
}

/**
 * Before a socket watches a conversation live in Monitor (`channelId`, or 0 for every conversation of the
 * workspace): the permission, the conversation, and the audit record of the opening. The hub then checks
 * the socket's permission again on each event.
 */
export async function openWatch(deps: Deps, actor: Actor, ctx: RequestCtx, channelId: number) {
  requirePermission(actor, "chat.monitor_all");
  if (channelId !== 0 && !(await channelsRepo.byId(deps.db, actor.workspaceId, channelId))) {
    throw notFound("No such conversation");
  }
  await record(deps.db, actor, ctx, "monitor_watch", channelId || "", { channelId: channelId || null });
}
