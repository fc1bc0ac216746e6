/**
 * Web Push from the browser's side: asks for permission (only when the person presses "Subscribe this
 * device"), registers Parley's service worker (`/sw.js`), subscribes with the server's VAPID key and hands
 * the subscription (endpoint and keys) to the server, which encrypts every push for it (RFC 8291).
 */
import type { ParleyClient } from "../../realtime/client.ts";
import { t } from "../../i18n/mod.ts";
import { askNotificationPermission } from "./notify.ts";

/** base64url -> bytes (the VAPID public key as `applicationServerKey`). */
export function fromBase64Url(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Subscribes this browser; throws an Error with a message for the person when it cannot. */
export async function subscribePush(client: ParleyClient): Promise<void> {
  if (!("serviceWorker" in navigator) || !("PushManager" in globalThis)) {
    throw new Error(t("settings.pushUnsupported"));
  }
  if (!(await askNotificationPermission())) throw new Error(t("settings.desktopDenied"));
  await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  const reg = await navigator.serviceWorker.ready;
  const { publicKey } = await client.rest.pushKey();
  const sub = await reg.pushManager.getSubscription() ??
    await reg.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: fromBase64Url(publicKey),
    });
  const json = sub.toJSON();
  await client.rest.addPushDevice({ endpoint: json.endpoint, keys: json.keys });
}
