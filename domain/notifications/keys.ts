/** The server's notification keys: the VAPID pair and the link-signing secret, made once and kept in the database. */
import * as prefsRepo from "../../db/repos/notification_levels.ts";
import type { Db } from "../../db/client.ts";

export type NotificationKeys = prefsRepo.KeysRow;

/** Returns the stored keys, generating and storing them on first start (the first instance to store wins). */
export async function ensureKeys(
  db: Db,
  generateVapid: () => { publicKey: string; privateKey: string },
): Promise<NotificationKeys> {
  const have = await prefsRepo.keys(db);
  if (have) return have;
  const v = generateVapid();
  const secret = new Uint8Array(32);
  crypto.getRandomValues(secret);
  return await prefsRepo.insertKeys(db, {
    vapidPublicKey: v.publicKey,
    vapidPrivateKey: v.privateKey,
    linkSecret: btoa(String.fromCharCode(...secret)),
  });
}
