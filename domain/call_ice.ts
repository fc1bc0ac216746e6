/**
 * ICE servers for a browser: STUN as configured, and TURN with credentials that expire, derived per user
 * from coturn's shared secret (the "TURN REST API" scheme coturn implements with `use-auth-secret` and
 * `static-auth-secret`): username `<expiry unix seconds>:<user id>`, password
 * base64(HMAC-SHA1(secret, username)). The secret itself never leaves the server.
 */
import { createHmac } from "node:crypto";
import type { CallConfig } from "../config.ts";
import type { Actor } from "./deps.ts";
import { forbidden } from "./errors.ts";

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface IceConfig {
  iceServers: IceServer[];
  iceTransportPolicy: "all" | "relay";
  /** When the TURN credential stops working (ISO time); fetch a new one for calls after that. */
  expiresAt: string | null;
}

/** coturn's REST API credential for `user`, valid until `expiresAt` (unix seconds). */
export function turnCredential(secret: string, user: string, expiresAt: number) {
  const username = `${expiresAt}:${user}`;
  const credential = createHmac("sha1", secret).update(username).digest("base64");
  return { username, credential };
}

export function iceConfig(cfg: CallConfig, actor: Actor, now: Date): IceConfig {
  const p = actor.permissions;
  if (!p.has("chat.make_audio_calls") && !p.has("chat.make_video_calls") && !p.has("chat.receive_calls")) {
    throw forbidden("You may not make or take calls");
  }
  const iceServers: IceServer[] = [];
  if (cfg.stunUrls.length) iceServers.push({ urls: cfg.stunUrls });
  let expiresAt: string | null = null;
  if (cfg.turnSecret && cfg.turnUrls.length) {
    const exp = Math.floor(now.getTime() / 1000) + cfg.turnTtlSeconds;
    iceServers.push({ urls: cfg.turnUrls, ...turnCredential(cfg.turnSecret, String(actor.userId), exp) });
    expiresAt = new Date(exp * 1000).toISOString();
  }
  return { iceServers, iceTransportPolicy: cfg.icePolicy, expiresAt };
}
