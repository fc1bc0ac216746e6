/** Host-application sign-in tokens already used, kept until they expire (replay protection). */
import type { Sql } from "../client.ts";

/** Records a token's use; false when it was used before (and has not expired since). */
export async function claim(sql: Sql, key: string, expiresAt: Date, now: Date): Promise<boolean> {
  await sql.query("DELETE FROM sso_used_tokens WHERE expires_at < $1", [now]);
  const r = await sql.query(
    "INSERT INTO sso_used_tokens (key, expires_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key",
    [key, expiresAt],
  );
  return r.length > 0;
}
