/**
 * Builds what a queued delivery says, at the moment it is sent: a digest mail lists only messages that
 * are still unread and not deleted (null when none is left), a push names the sender and carries the
 * text only when the workspace allows previews.
 */
import type { Sql } from "../../db/client.ts";
import * as outbox from "../../db/repos/notification_outbox.ts";
import * as prefsRepo from "../../db/repos/notification_levels.ts";
import * as usersRepo from "../../db/repos/users.ts";
import type { OutgoingMail } from "./mail.ts";
import { messageLink, settingsLink, unsubscribeLink } from "./links.ts";
import { notifyText } from "./mail_i18n.ts";
import { effectivePrefs, workspaceNotificationSettings } from "./prefs.ts";

export interface RenderCtx {
  baseUrl: string;
  linkSecret: string;
}

/** The first line of a message as plain text, shortened. */
export function firstLine(body: string, max = 140): string {
  const line = body.split("\n").map((l) => l.trim()).find(Boolean) ?? "";
  const plain = line.replace(/^(#+|>+|[-*+]|\d+\.)\s+/, "").replace(/[*_~`]+/g, "").replace(/\s+/g, " ");
  return plain.length > max ? plain.slice(0, max - 1) + "…" : plain;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** One mail for a person's window, or null when everything in it was read or deleted meanwhile. */
export async function renderDigest(
  sql: Sql,
  d: outbox.Delivery,
  ctx: RenderCtx,
): Promise<OutgoingMail | null> {
  const ids = (d.payload.messageIds as number[] | undefined) ?? [];
  if (!d.userId || !d.workspaceId) return null;
  const msgs = await outbox.unreadOf(sql, d.userId, ids);
  if (!msgs.length) return null;
  const user = await usersRepo.byId(sql, d.workspaceId, d.userId);
  if (!user?.email || user.deactivatedAt) return null;
  const prefs = await effectivePrefs(sql, d.workspaceId, d.userId);
  if (!prefs.email.enabled) return null;
  const ws = await workspaceNotificationSettings(sql, d.workspaceId);
  const tx = notifyText(prefs.language);
  const groups = new Map<number, typeof msgs>();
  for (const m of msgs) groups.set(m.channelId, [...(groups.get(m.channelId) ?? []), m]);
  const unsub = unsubscribeLink(ctx.baseUrl, ctx.linkSecret, d.userId);
  const text: string[] = [tx.intro(user.displayName, msgs.length), ""];
  const html: string[] = [`<p>${esc(tx.intro(user.displayName, msgs.length))}</p>`];
  for (const list of groups.values()) {
    const c = list[0];
    const title = c.channelKind === "direct_message"
      ? tx.dmFrom(c.senderName)
      : c.channelKind === "group"
      ? list.map((m) => m.senderName).filter((v, i, a) => a.indexOf(v) === i).join(", ")
      : tx.inChannel(c.channelName);
    const link = messageLink(ctx.baseUrl, c.channelId, c.id);
    text.push(`${title} (${list.length})`);
    html.push(`<h2 style="font-size:16px;margin:16px 0 4px">${esc(title)} (${list.length})</h2><ul>`);
    for (const m of list.slice(0, 3)) {
      const line = ws.previews ? firstLine(m.body) : tx.hidden;
      text.push(`  ${m.senderName}: ${line}`);
      html.push(`<li><strong>${esc(m.senderName)}</strong>: ${esc(line)}</li>`);
    }
    if (list.length > 3) {
      text.push(`  ${tx.more(list.length - 3)}`);
      html.push(`<li>${esc(tx.more(list.length - 3))}</li>`);
    }
    text.push(`  ${tx.open}: ${link}`, "");
    html.push(`</ul><p><a href="${esc(link)}">${esc(tx.open)}</a></p>`);
  }
  text.push("--", tx.why, `${tx.settings}: ${settingsLink(ctx.baseUrl)}`, `${tx.unsubscribe}: ${unsub}`);
  html.push(
    `<hr><p style="color:#666;font-size:12px">${esc(tx.why)}<br><a href="${esc(settingsLink(ctx.baseUrl))}">${
      esc(tx.settings)
    }</a> · <a href="${esc(unsub)}">${esc(tx.unsubscribe)}</a></p>`,
  );
  return {
    to: user.email,
    subject: tx.subject(msgs.length),
    text: text.join("\n"),
    html: `<!doctype html><html lang="${esc(prefs.language)}"><body>${html.join("\n")}</body></html>`,
    headers: {
      "List-Unsubscribe": `<${unsub}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      "Auto-Submitted": "auto-generated",
    },
    messageId: `<${d.key.replace(/[^\w.-]/g, ".")}@parley>`,
    language: prefs.language,
  };
}

export interface PushMessage {
  subscription: prefsRepo.SubscriptionRow;
  payload: {
    title: string;
    body: string;
    url: string;
    tag: string;
    kind: string;
    channelId?: number;
    messageId?: number;
  };
}

/** A push for one device, or null when the device is gone or the message was read or deleted. */
export async function renderPush(sql: Sql, d: outbox.Delivery, ctx: RenderCtx): Promise<PushMessage | null> {
  const sub = await prefsRepo.subscription(sql, Number(d.payload.subscriptionId));
  if (!sub || sub.userId !== d.userId || !d.workspaceId) return null;
  const prefs = await effectivePrefs(sql, d.workspaceId, sub.userId);
  const tx = notifyText(prefs.language);
  if (d.kind === "visitor_waiting") {
    const name = String(d.payload.visitorName ?? "");
    return {
      subscription: sub,
      payload: {
        title: tx.visitorWaiting(name),
        body: "",
        url: String(d.payload.url ?? `${ctx.baseUrl}/chat`),
        tag: `parley-visitor-${d.payload.conversationId}`,
        kind: "visitor",
      },
    };
  }
  const [m] = await outbox.unreadOf(sql, sub.userId, [Number(d.payload.messageId)]);
  if (!m) return null;
  const ws = await workspaceNotificationSettings(sql, d.workspaceId);
  const where = m.channelKind === "public_channel" || m.channelKind === "private_channel"
    ? tx.inChannel(m.channelName)
    : "";
  const title = d.payload.reason === "mention"
    ? tx.pushMention(m.senderName, where)
    : tx.pushMessage(m.senderName);
  return {
    subscription: sub,
    payload: {
      title,
      body: ws.previews ? firstLine(m.body, 200) : tx.pushBodyHidden,
      url: messageLink(ctx.baseUrl, m.channelId, m.id),
      tag: `parley-${m.channelId}`,
      kind: d.payload.reason === "mention" ? "mention" : "message",
      channelId: m.channelId,
      messageId: m.id,
    },
  };
}
