/**
 * One search for messages, files, people and channels. Permission-aware here, once: messages and files
 * come only from conversations the actor is a member of now (none they left, no one else's DMs or private
 * channels, nothing of another workspace, nothing deleted; an edit replaced the old text in the index).
 * A holder of chat.monitor_all may ask for `scope: "all"`, every conversation of the workspace, and
 * each such search is written to the audit log.
 */
import { z } from "zod";
import * as searchRepo from "../db/repos/search.ts";
import * as usersRepo from "../db/repos/users.ts";
import * as sessionsRepo from "../db/repos/sessions.ts";
import type { Actor, Deps } from "./deps.ts";
import { requirePermission } from "./access.ts";
import { parse } from "./validate.ts";
import { highlights, isEmpty, type ParsedQuery, parseQuery } from "./search_query.ts";

export const SearchQueryInput = z.object({
  q: z.string().max(500, "at most 500 characters"),
  scope: z.enum(["mine", "all"]).default("mine"),
  kinds: z.string().max(40).optional().describe(
    "Comma-separated: messages,files,people,channels (default all)",
  ),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});

export interface MessageResult {
  id: number;
  channelId: number;
  channelName: string;
  channelKind: string;
  seq: number;
  senderId: number | null;
  senderName: string | null;
  replyTo: number | null;
  createdAt: string;
  /** The body, shortened around the first match. */
  snippet: string;
  /** [start, end) ranges of `snippet` to highlight. */
  highlights: [number, number][];
}

export interface SearchResults {
  query: ParsedQuery;
  messages: MessageResult[];
  files: (searchRepo.FileHit & { channelName: string; highlights: [number, number][] })[];
  people: searchRepo.PersonHit[];
  channels: searchRepo.ChannelHit[];
}

const dayStart = (d: string) => `${d}T00:00:00.000Z`;
const nextDay = (d: string) => new Date(Date.parse(dayStart(d)) + 86_400_000).toISOString();

function snippetOf(body: string, ranges: [number, number][], max = 240) {
  if (body.length <= max) return { snippet: body, highlights: ranges };
  const first = ranges[0]?.[0] ?? 0;
  const start = Math.max(0, Math.min(first - 60, body.length - max));
  const shift = start > 0 ? 1 : 0;
  const snippet = (start > 0 ? "…" : "") + body.slice(start, start + max) +
    (start + max < body.length ? "…" : "");
  const hl = ranges.filter(([s, e]) => s >= start && e <= start + max).map(([s, e]) =>
    [s - start + shift, e - start + shift] as [number, number]
  );
  return { snippet, highlights: hl };
}

export async function search(deps: Deps, actor: Actor, input: unknown): Promise<SearchResults> {
  requirePermission(actor, "chat.access_channels");
  const { q, scope, kinds, limit } = parse(SearchQueryInput, input);
  const want = new Set((kinds ?? "messages,files,people,channels").split(",").map((s) => s.trim()));
  const all = scope === "all";
  if (all) requirePermission(actor, "chat.monitor_all", "Only monitors can search every conversation");
  const p = parseQuery(q);
  const out: SearchResults = { query: p, messages: [], files: [], people: [], channels: [] };
  if (isEmpty(p)) return out;
  if (all) {
    await sessionsRepo.audit(deps.db, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: "search.monitor_all",
      detail: { q },
    });
  }

  const visible = await searchRepo.searchableChannels(deps.db, actor.workspaceId, actor.userId, all);
  const byName = async (names: string[]) => {
    const ids: number[] = [];
    for (const n of names) {
      const u = n === "me" ? { id: actor.userId } : await usersRepo.byUsername(deps.db, actor.workspaceId, n);
      ids.push(u ? u.id : -1);
    }
    return ids;
  };
  let channelIds = visible.map((c) => c.id);
  if (p.inChannels.length) {
    const names = new Set(p.inChannels);
    channelIds = visible.filter((c) => c.kind.endsWith("_channel") && names.has(c.name.toLowerCase())).map((
      c,
    ) => c.id);
  }
  if (p.inPeople.length) {
    const ids = await byName(p.inPeople);
    const keys = new Set(ids.map((id) => {
      const [a, b] = [actor.userId, id].sort((x, y) => x - y);
      return `dm:${a}:${b}`;
    }));
    const dms = new Set(visible.filter((c) => c.dmKey && keys.has(c.dmKey)).map((c) => c.id));
    channelIds = channelIds.filter((id) => dms.has(id));
  }
  const senderIds = p.from.length ? await byName(p.from) : null;
  const names = new Map(visible.map((c) => [c.id, c]));
  const words = [...p.terms, ...p.phrases];

  if (want.has("messages") && channelIds.length) {
    // Read-your-writes: what was acknowledged before this search is indexed before it reads.
    await deps.searchIndexer.catchUp();
    const hits = await searchRepo.messages(deps.db, {
      workspaceId: actor.workspaceId,
      channelIds,
      terms: p.terms,
      phrases: p.phrases,
      excluded: p.excluded,
      senderIds,
      hasFile: p.has.includes("file"),
      hasLink: p.has.includes("link"),
      from: p.on ? dayStart(p.on) : p.after ? nextDay(p.after) : null,
      until: p.on ? nextDay(p.on) : p.before ? dayStart(p.before) : null,
      limit,
    });
    const senders = new Map(
      (await usersRepo.byIds(deps.db, actor.workspaceId, [...new Set(hits.map((h) => h.senderId!))]))
        .map((u) => [u.id, u.displayName]),
    );
    out.messages = hits.map((h) => {
      const c = names.get(h.channelId)!;
      return {
        id: h.id,
        channelId: h.channelId,
        channelName: c.name,
        channelKind: c.kind,
        seq: h.seq,
        senderId: h.senderId,
        senderName: h.senderId ? senders.get(h.senderId) ?? null : null,
        replyTo: h.replyTo,
        createdAt: h.createdAt,
        ...snippetOf(h.body, highlights(h.body, p)),
      };
    });
  }
  if (want.has("files") && channelIds.length && (words.length || p.has.includes("file") || senderIds)) {
    const hits = await searchRepo.files(deps.db, {
      workspaceId: actor.workspaceId,
      channelIds,
      words,
      senderIds,
      limit,
    });
    out.files = hits.map((f) => ({
      ...f,
      channelName: names.get(f.channelId)?.name ?? "",
      highlights: highlights(f.name, p),
    }));
  }
  const plain = !p.inChannels.length && !p.inPeople.length && !p.from.length && !p.has.length;
  if (want.has("people") && words.length && plain) {
    out.people = await searchRepo.people(deps.db, actor.workspaceId, words, 10);
  }
  if (want.has("channels") && words.length && plain) {
    out.channels = await searchRepo.channels(deps.db, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      all,
      words,
      limit: 10,
    });
  }
  return out;
}
