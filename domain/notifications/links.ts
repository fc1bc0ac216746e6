/** Links in notifications: to a message, to settings, and signed one-click unsubscribe links. */
import { createHmac, timingSafeEqual } from "node:crypto";

export const messageLink = (base: string, channelId: number, messageId: number) =>
  `${base}/chat/${channelId}/${messageId}`;

export const settingsLink = (base: string) => `${base}/chat?settings=notifications`;

function sign(secret: string, userId: number): string {
  return createHmac("sha256", secret).update(`unsubscribe-email:${userId}`).digest("base64url");
}

/** The RFC 8058 one-click link: GET shows a confirmation page, POST unsubscribes. */
export function unsubscribeLink(base: string, secret: string, userId: number): string {
  return `${base}/notifications/unsubscribe?u=${userId}&t=${sign(secret, userId)}`;
}

export function checkUnsubscribeToken(secret: string, userId: number, token: string): boolean {
  const want = Buffer.from(sign(secret, userId));
  const got = Buffer.from(token);
  return want.length === got.length && timingSafeEqual(want, got);
}
