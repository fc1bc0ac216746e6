/**
 * The push transport: Web Push with VAPID and RFC 8291 (aes128gcm) encrypted payloads. `web-push` builds
 * the encrypted request; it is sent with fetch so every push service (and a loopback one in tests) works.
 */
import webpush from "web-push";
import type { Outcome, Outgoing, Transport } from "./transport.ts";

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  return webpush.generateVAPIDKeys();
}

export function webPushTransport(vapid: VapidKeys, opts: { timeoutMs?: number } = {}): Transport {
  return {
    name: "push",
    async send(o: Outgoing): Promise<Outcome> {
      if (o.transport !== "push") return { status: "failed", error: "not a push" };
      const { subscription: s, payload } = o.push;
      let req;
      try {
        req = webpush.generateRequestDetails(
          { endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } },
          JSON.stringify(payload),
          {
            vapidDetails: vapid,
            TTL: 24 * 3600,
            contentEncoding: "aes128gcm",
            urgency: payload.kind === "mention" || payload.kind === "visitor" ? "high" : "normal",
            topic: payload.tag.replace(/[^A-Za-z0-9_-]/g, "").slice(0, 32),
          },
        );
      } catch (err) {
        return { status: "gone", error: `bad subscription: ${(err as Error).message}` };
      }
      const headers = { ...req.headers } as Record<string, string>;
      delete headers["Content-Length"];
      try {
        const res = await fetch(req.endpoint, {
          method: "POST",
          headers,
          body: req.body as Uint8Array<ArrayBuffer>,
          signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
          redirect: "error",
        });
        const text = await res.text().catch(() => "");
        if (res.ok) return { status: "sent" };
        const error = `push service answered ${res.status} ${text.slice(0, 200)}`.trim();
        if (res.status === 404 || res.status === 410) return { status: "gone", error };
        if (res.status === 429 || res.status >= 500) return { status: "retry", error };
        return { status: "failed", error };
      } catch (err) {
        return { status: "retry", error: (err as Error).message };
      }
    },
  };
}
