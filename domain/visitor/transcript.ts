/**
 * The transcript of a visitor conversation: what the visitor saw (no internal notes), as a download, and
 * mailed once per conversation through the notification outbox (`queueMail`) when the visitor asks for it
 * after the chat ended. It goes to the address the visitor gives (the pre-chat email by default); once per
 * conversation and a per-address rate limit keep the form from being a way to mail strangers.
 */
import { z } from "zod";
import * as convRepo from "../../db/repos/visitor_conversations.ts";
import type { Deps } from "../deps.ts";
import { AppError, conflict, invalid } from "../errors.ts";
import { parse } from "../validate.ts";
import { queueMail } from "../notifications/mail.ts";
import { isValidEmail } from "../notifications/validate.ts";
import type { VisitorActor } from "./access.ts";
import { readVisitorSettings } from "./settings.ts";

async function lines(deps: Deps, v: VisitorActor) {
  const c = await convRepo.byId(deps.db, v.workspaceId, v.conversationId);
  const msgs = await convRepo.messages(deps.db, v.conversationId, { withNotes: false, limit: 10_000 });
  const out = [`Chat transcript #${c!.id} (${c!.createdAt})`, ""];
  for (const m of msgs) {
    const who = m.kind === "system" ? "—" : m.kind === "visitor" ? (m.authorName || "You") : m.authorName;
    out.push(`[${m.createdAt}] ${who}: ${m.body}`);
  }
  return { c: c!, text: out.join("\n") + "\n" };
}

/** The transcript as plain text (what the visitor saw: no internal notes). */
export async function transcript(deps: Deps, v: VisitorActor): Promise<string> {
  return (await lines(deps, v)).text;
}

export const EmailInput = z.object({
  email: z.string().trim().max(254).optional().default(""),
}).strict();

/**
 * Queues the transcript mail, once per conversation, after the chat ended. Refused: a chat still going
 * (`conflict`), no valid address (`invalid_input`), a second request (`already_sent`).
 */
export async function emailTranscript(deps: Deps, v: VisitorActor, input: unknown, ip = "") {
  const p = parse(EmailInput, input ?? {});
  const { c, text } = await lines(deps, v);
  if (c.status !== "ended") throw conflict("The transcript can be mailed once the chat has ended");
  const to = p.email || c.email;
  if (!isValidEmail(to)) throw invalid("email: a valid email address is needed");
  if (ip) deps.limiter.take(`visitor-transcript-ip:${ip}`, 10, "Too many transcripts from this address");
  const s = await readVisitorSettings(deps.db, v.workspaceId);
  const title = s.look.title || "Chat";
  const queued = await deps.db.tx((sql) =>
    queueMail(sql, {
      key: `transcript:${c.id}`,
      workspaceId: v.workspaceId,
      to,
      kind: "transcript",
      subject: `Your chat transcript (${title.replace(/[\r\n]+/g, " ").slice(0, 80)}) #${c.id}`,
      text,
    })
  );
  if (!queued) throw new AppError("already_sent", 409, "The transcript was already mailed for this chat");
  return { ok: true, to };
}
