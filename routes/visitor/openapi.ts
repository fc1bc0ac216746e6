/** The visitor-chat endpoints of the OpenAPI document (`/api/visitor` for visitors, `/api/visitors` for staff). */
import { z } from "zod";
import type { Endpoint, Method } from "../api/openapi_endpoints.ts";
import { RateInput, StartInput } from "../../domain/visitor/lifecycle.ts";
import { OfflineInput } from "../../domain/visitor/tickets.ts";
import { SendInput } from "../../domain/visitor/chat.ts";
import { FileVariantInput, UploadQuery } from "../../domain/files.ts";
import { EmailInput } from "../../domain/visitor/transcript.ts";
import { AvailabilityInput, TransferInput } from "../../domain/visitor/routing.ts";
import { EscalateInput } from "../../domain/visitor/staff.ts";
import * as R from "../api/response_schemas.ts";

const TypingInput = z.object({ typing: z.boolean() });
const SeenInput = z.object({ seq: z.number().int().nonnegative() });
const WorkspaceQuery = z.object({ workspace: z.string().max(100).optional() });
const TOKEN =
  "Authenticated by the conversation's secret token in the `X-Parley-Visitor` header; it reaches " +
  "only that conversation.";

export function visitorEndpoints(messageChars: number): Endpoint[] {
  const e = (
    method: Method,
    path: string,
    tag: string,
    summary: string,
    rest: Omit<Endpoint, "method" | "path" | "tag" | "summary" | "auth"> & { auth?: boolean },
  ): Endpoint => ({ method, path, tag, summary, auth: true, ...rest });
  const v = "/api/visitor";
  const s = "/api/visitors";
  const c = `${s}/conversations/:id`;
  const send = SendInput(messageChars);
  const ok = (what: string): [number, string, z.ZodType | null][] => [[200, what, null]];
  return [
    e("get", `${v}/config`, "Visitor", "The visitor widget's settings and whether anyone can answer now", {
      auth: false,
      query: WorkspaceQuery,
      ok: ok("Public settings and `open`"),
    }),
    e("post", `${v}/start`, "Visitor", "Start a chat (idempotent per token)", {
      auth: false,
      description: "The browser generates the secret token; the same token again returns the same " +
        "conversation (200). Refused: a filled honeypot (`bot_suspected`), a form sent faster than " +
        "`visitor.min_form_seconds` (`too_fast`), nobody available or outside business hours (409 `offline`).",
      query: WorkspaceQuery,
      body: ["VisitorStartInput", StartInput],
      ok: [[201, "Started", null], [200, "Already started with this token", null]],
      errors: [409, 429],
    }),
    e("post", `${v}/offline`, "Visitor", "Leave a message when nobody is available (becomes a ticket)", {
      auth: false,
      query: WorkspaceQuery,
      body: ["VisitorOfflineInput", OfflineInput],
      ok: [[201, "The ticket id", null]],
      errors: [429],
    }),
    e("get", `${v}/conversation`, "Visitor", "The visitor's conversation (no internal notes)", {
      auth: false,
      description: TOKEN + " 410 `recovery_expired` when it was left longer than the recovery window.",
      ok: ok("The conversation"),
      errors: [401, 410],
    }),
    e("post", `${v}/messages`, "Visitor", "Send a message", {
      auth: false,
      description: TOKEN,
      body: ["VisitorSendInput", send],
      ok: [[201, "The stored message", null]],
      errors: [401, 409, 429],
    }),
    e("post", `${v}/typing`, "Visitor", "Typing on or off", {
      auth: false,
      description: TOKEN,
      body: ["VisitorTypingInput", TypingInput],
      ok: [[200, "Sent", R.Ok]],
      errors: [401],
    }),
    e("post", `${v}/seen`, "Visitor", "Mark messages seen up to a sequence", {
      auth: false,
      description: TOKEN,
      body: ["VisitorSeenInput", SeenInput],
      ok: [[200, "Stored", R.Ok]],
      errors: [401],
    }),
    e("post", `${v}/end`, "Visitor", "End the chat", {
      auth: false,
      description: TOKEN,
      ok: ok("The ended conversation"),
      errors: [401],
    }),
    e("post", `${v}/rating`, "Visitor", "Rate an ended chat, once", {
      auth: false,
      description: TOKEN +
        " The scale follows `visitor.rating_type`; a second rating is 409 `already_rated`.",
      body: ["VisitorRateInput", RateInput],
      ok: [[201, "Stored", R.Ok]],
      errors: [401, 409],
    }),
    e("get", `${v}/transcript`, "Visitor", "The transcript as a text download", {
      auth: false,
      description: TOKEN,
      ok: [[200, "text/plain attachment", null]],
      errors: [401],
    }),
    e("post", `${v}/transcript/email`, "Visitor", "Mail the transcript of an ended chat, once", {
      auth: false,
      description: TOKEN +
        " Goes to `email`, or to the pre-chat email when empty, through the notification outbox. A chat" +
        " still going is 409; a second request for the same chat is 409 `already_sent`.",
      body: ["VisitorTranscriptEmailInput", EmailInput],
      ok: [[202, "Queued", null]],
      errors: [400, 401, 409, 429],
    }),
    e("post", `${v}/files`, "Visitor", "Attach a file or image (sent as a message at once)", {
      auth: false,
      description: TOKEN + " The body is the file itself with its Content-Length; `name` is its file name. " +
        "The same checks as staff files: type by content among `files.allowed_types` (415), at most " +
        "`files.max_bytes` (413), images re-encoded without metadata. Off with `visitor.attachments` (403).",
      query: UploadQuery,
      rawBody: "The file's bytes",
      ok: [[201, "The message carrying the file", null]],
      errors: [401, 409, 411, 413, 415, 429],
    }),
    e("get", `${v}/files/:id`, "Visitor", "A file of the visitor's own conversation", {
      auth: false,
      description: TOKEN + " A file of any other conversation is 404.",
      query: FileVariantInput,
      ok: [[200, "The bytes", null], [206, "The requested range", null]],
      errors: [401, 404, 416],
    }),
    e("get", `${v}/ws`, "Realtime", "The visitor's WebSocket (upgrade)", {
      auth: false,
      description: 'First frame `{id, action: "auth", token}`; then `send`, `typing`, `seen`, `ping`. ' +
        "Events: visitor_message, visitor_typing, visitor_seen, visitor_status, visitor_ended.",
      ok: [[101, "Switching protocols", null]],
      errors: [429],
    }),

    e(
      "get",
      `${s}/overview`,
      "Visitors (staff)",
      "The Visitors panel: waiting, held, tickets, canned replies",
      {
        description: "chat.public_queue (or chat.public_monitor, which lists every held conversation).",
        ok: ok("Overview"),
      },
    ),
    e("put", `${s}/availability`, "Visitors (staff)", "The availability switch, capacity and team", {
      body: ["VisitorAvailabilityInput", AvailabilityInput],
      ok: ok("The agent row"),
    }),
    e("get", `${s}/agents`, "Visitors (staff)", "Agents with availability, online state and load", {
      ok: ok("Agents"),
    }),
    e("get", `${s}/ratings`, "Visitors (staff)", "Ratings per agent and per team", {
      description: "chat.view_analytics or chat.public_monitor. Averages are 0-100 %.",
      ok: ok("Summaries"),
    }),
    e("get", c, "Visitors (staff)", "A conversation with notes, visitor details and earlier chats", {
      description: "The holder, anyone for a waiting one, or chat.public_monitor.",
      ok: ok("Conversation"),
      errors: [404],
    }),
    e("post", `${c}/claim`, "Visitors (staff)", "Claim a waiting visitor (one of simultaneous claims wins)", {
      ok: [[200, "Claimed", R.Ok]],
      errors: [404, 409],
    }),
    e("post", `${c}/messages`, "Visitors (staff)", "Reply, or add an internal note (`note: true`)", {
      body: ["VisitorStaffSendInput", send.extend({ note: z.boolean().optional() })],
      ok: [[201, "The stored message", null]],
      errors: [404, 409],
    }),
    e("post", `${c}/typing`, "Visitors (staff)", "Typing on or off", {
      body: ["VisitorTypingInput", TypingInput],
      ok: [[200, "Sent", R.Ok]],
      errors: [404],
    }),
    e("post", `${c}/seen`, "Visitors (staff)", "Mark the visitor's messages seen", {
      body: ["VisitorSeenInput", SeenInput],
      ok: [[200, "Stored", R.Ok]],
      errors: [404],
    }),
    e("post", `${c}/transfer`, "Visitors (staff)", "Transfer to an agent or a team, with a note", {
      description: "chat.public_transfer.",
      body: ["VisitorTransferInput", TransferInput],
      ok: [[200, "Transferred", R.Ok]],
      errors: [404, 409],
    }),
    e("post", `${c}/end`, "Visitors (staff)", "End the chat (makes its ticket)", {
      ok: [[200, "Ended", R.Ok]],
      errors: [404, 409],
    }),
    e("post", `${c}/escalate`, "Visitors (staff)", "Pull colleagues into an internal thread", {
      body: ["VisitorEscalateInput", EscalateInput],
      ok: ok("The internal channel id"),
      errors: [404, 409],
    }),
    e("get", `${s}/files/:id`, "Visitors (staff)", "A visitor's attachment", {
      description: "Staff who may read its conversation (the holder, anyone while it waits, or " +
        "chat.public_monitor); 404 for a file that does not exist, 403 for a conversation held by another.",
      query: FileVariantInput,
      ok: [[200, "The bytes", null], [206, "The requested range", null]],
      errors: [404, 416],
    }),
    e("get", `${s}/tickets`, "Visitors (staff)", "Tickets (built-in provider)", { ok: ok("Tickets") }),
    e("get", `${s}/tickets/:id`, "Visitors (staff)", "One ticket", { ok: ok("Ticket"), errors: [404] }),
    e("post", `${s}/messages/:id/ticket`, "Visitors (staff)", "Create a ticket from any chat message", {
      ok: [[201, "The ticket", null]],
      errors: [404],
    }),
    e("get", `${s}/webhooks/deliveries`, "Visitors (staff)", "The webhook delivery log", {
      description: "chat.public_monitor.",
      ok: ok("Deliveries"),
    }),
  ];
}
