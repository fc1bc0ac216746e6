/**
 * Outgoing webhooks: each delivery is a row (the delivery log), POSTed with an HMAC-SHA256 signature of
 * `<timestamp>.<body>` under the workspace's secret, and retried with exponential back-off until the host
 * answers 2xx or `MAX_ATTEMPTS` is reached.
 *
 * @example Verifying on the receiving side (header `X-Parley-Signature: t=1700000000,v1=<hex>`):
 * const mac = hmacSha256Hex(secret, `${t}.${rawBody}`); // compare with v1 in constant time
 */
import * as ticketsRepo from "../../db/repos/tickets.ts";
import type { Deps } from "../deps.ts";
import { readVisitorSettings } from "./settings.ts";

export const MAX_ATTEMPTS = 8;
export const RETRY_BASE_SECONDS = 2;
const TIMEOUT_MS = 10_000;

export async function hmacHex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const sig = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text));
  return [...new Uint8Array(sig)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function signature(secret: string, body: string, at: Date): Promise<string> {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${await hmacHex(secret, `${t}.${body}`)}`;
}

/** Seconds before attempt `n + 1` after `n` failed attempts, or null when it gives up. */
export function backoff(failedAttempts: number): number | null {
  if (failedAttempts >= MAX_ATTEMPTS) return null;
  return Math.min(3600, RETRY_BASE_SECONDS * 2 ** (failedAttempts - 1));
}

/** Delivers what is due; returns how many were attempted. */
export async function deliverDue(deps: Deps, fetcher: typeof fetch = fetch): Promise<number> {
  const due = await ticketsRepo.claimDue(deps.db, 20, 60);
  await Promise.all(due.map(async (d) => {
    const s = await readVisitorSettings(deps.db, d.workspaceId);
    let status: number | null = null;
    let error = "";
    try {
      const res = await fetcher(d.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Parley-Webhook/1",
          "x-parley-event": d.event,
          "x-parley-delivery": String(d.id),
          "x-parley-signature": await signature(s.webhook_secret, d.payload, deps.now()),
        },
        body: d.payload,
        redirect: "manual",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      status = res.status;
      await res.body?.cancel().catch(() => {});
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const ok = status !== null && status >= 200 && status < 300;
    await ticketsRepo.recordAttempt(deps.db, d.id, {
      ok,
      status,
      error,
      retryInSeconds: ok ? null : backoff(d.attempts + 1),
    });
  }));
  return due.length;
}
