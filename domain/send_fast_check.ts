/**
 * The common send checked without zod: a plain object with `channelId`, `clientId`, a non-blank `body` and
 * at most a `type`, nothing else. For such an input `plainSend` gives exactly what `sendSchema`'s parse
 * gives (`type` defaulted to "text"); for any other it gives null and zod decides, with its messages. Zod's
 * parses were a tenth of what the server allocated per message at 500 msg/s, and most sends are these
 * (bench/notes/allocation_per_message.md). `tests/domain/send_fast_check_test.ts` holds it to the schema.
 */

/** `clientId`'s characters (the schema's regex, shared with it). */
export const CLIENT_ID_CHARS = /^[\w.:-]+$/;

export interface PlainSendInput {
  channelId: number;
  clientId: string;
  body: string;
  type: "text" | "broadcast" | "ticket_link";
}

export function plainSend(input: unknown, maxChars: number): PlainSendInput | null {
  if (!input || typeof input !== "object" || Object.getPrototypeOf(input) !== Object.prototype) return null;
  const o = input as Record<string, unknown>;
  for (const k in o) {
    if (k !== "channelId" && k !== "clientId" && k !== "body" && k !== "type") return null;
  }
  const { channelId, clientId, body, type } = o;
  if (typeof channelId !== "number" || !Number.isSafeInteger(channelId) || channelId <= 0) return null;
  if (
    typeof clientId !== "string" || clientId.length < 1 || clientId.length > 64 ||
    !CLIENT_ID_CHARS.test(clientId)
  ) return null;
  // A NUL is refused by `parse` before the schema; a blank body by the schema's refinement.
  if (typeof body !== "string" || body.length > maxChars || body.includes("\u0000") || !body.trim()) {
    return null;
  }
  if (type !== undefined && type !== "text" && type !== "broadcast" && type !== "ticket_link") return null;
  return { channelId, clientId, body, type: type ?? "text" };
}
