/**
 * The one mail path. Everything Parley mails — unread digests, invitations, password resets, visitor chat
 * transcripts — is queued here into the notification outbox, and the worker hands it to the mail
 * transport (SMTP) with retries and back-off. Queue inside the transaction that makes the mail necessary:
 * it is then sent exactly when that transaction commits, and once per key.
 *
 * @example
 * await queueMail(tx.sql, {
 *   key: `invite:${invitation.id}`,
 *   workspaceId,
 *   to: "new.person@example.com",
 *   subject: "You are invited to Parley",
 *   text: `Join here: ${link}`,
 *   html: `<p>Join <a href="${link}">here</a></p>`,
 * });
 */
import type { Sql } from "../../db/client.ts";
import * as outbox from "../../db/repos/notification_outbox.ts";
import { invalid } from "../errors.ts";
import { isValidEmail } from "./validate.ts";

/** A mail ready for a transport. `html` is trusted markup built by Parley (escape what you put in it). */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers?: Record<string, string>;
  /** Stable Message-ID, so a resend after a crash is recognisable as the same mail. */
  messageId?: string;
  /** BCP 47 language of the content (Content-Language). */
  language?: string;
}

export interface QueuedMail extends OutgoingMail {
  /** Idempotent key: the same key is queued and sent once ("invite:42", "reset:<token hash>"). */
  key: string;
  workspaceId?: number | null;
  userId?: number | null;
  /** What kind of mail this is, for the logs (`invite`, `password_reset`, `transcript` …). */
  kind?: string;
}

/** Queues a mail; returns false when a mail with this key was already queued. Bad addresses are refused. */
export async function queueMail(sql: Sql, mail: QueuedMail): Promise<boolean> {
  if (!isValidEmail(mail.to)) throw invalid("to: not a valid email address");
  if (!mail.subject.trim() || /[\r\n]/.test(mail.subject)) throw invalid("subject: one non-empty line");
  const { key, workspaceId, userId, kind, ...out } = mail;
  return await outbox.enqueue(sql, {
    key: `mail:${key}`,
    workspaceId: workspaceId ?? null,
    userId: userId ?? null,
    transport: "email",
    kind: kind ?? "mail",
    payload: { mail: out },
  });
}
