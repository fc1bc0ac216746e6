/**
 * A local Web Push service for tests: accepts pushes on loopback, checks the VAPID Authorization header,
 * and decrypts the RFC 8291 (aes128gcm) payload with the subscription's private key using `http_ece`.
 * Endpoints under `/gone/` answer 410, as a push service does for an expired subscription.
 */
import { createECDH, randomBytes } from "node:crypto";
import ece from "http_ece";

export interface Received {
  path: string;
  authorization: string;
  payload: Record<string, unknown>;
}

export interface PushReceiver {
  /** A subscription (as PushSubscription.toJSON()) whose pushes this receiver can decrypt. */
  subscription(name: string, gone?: boolean): { endpoint: string; keys: { p256dh: string; auth: string } };
  received: Received[];
  hits: string[];
  close(): Promise<void>;
}

export function startPushReceiver(): PushReceiver {
  const keys = new Map<string, { ecdh: ReturnType<typeof createECDH>; auth: string }>();
  const received: Received[] = [];
  const hits: string[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    hits.push(path);
    const body = new Uint8Array(await req.arrayBuffer());
    if (path.startsWith("/gone/")) return new Response("expired", { status: 410 });
    const k = keys.get(path.split("/").pop()!);
    const authorization = req.headers.get("authorization") ?? "";
    if (!k || !/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/.test(authorization)) {
      return new Response("bad", { status: 400 });
    }
    if (req.headers.get("content-encoding") !== "aes128gcm") return new Response("enc", { status: 400 });
    const plain = ece.decrypt(Buffer.from(body), {
      version: "aes128gcm",
      privateKey: k.ecdh,
      authSecret: k.auth,
    });
    received.push({ path, authorization, payload: JSON.parse(plain.toString("utf8")) });
    return new Response(null, { status: 201 });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  return {
    subscription(name, gone = false) {
      const ecdh = createECDH("prime256v1");
      ecdh.generateKeys();
      const auth = randomBytes(16).toString("base64url");
      keys.set(name, { ecdh, auth });
      return {
        endpoint: `${base}/${gone ? "gone" : "push"}/${name}`,
        keys: { p256dh: ecdh.getPublicKey("base64url"), auth },
      };
    },
    received,
    hits,
    close: () => server.shutdown(),
  };
}
