/** What staff files (`files`) and visitor attachments (`visitor_files`) share: the row made ready. */
import type { Sql } from "../client.ts";

/** What storing a file's bytes gave (`StoredBytes` in domain/file_store.ts). */
export interface StoredFile {
  size: number;
  storageKey: string;
  thumbKey: string | null;
  width: number | null;
  height: number | null;
}

/** Marks a row of `table` ready with where its bytes are and what they are. */
export async function markStoredReady(
  sql: Sql,
  table: "files" | "visitor_files",
  id: number,
  f: StoredFile,
): Promise<void> {
  await sql.query(
    `UPDATE ${table} SET status = 'ready', size = $2, storage_key = $3, thumb_key = $4, width = $5, height = $6
     WHERE id = $1`,
    [id, f.size, f.storageKey, f.thumbKey, f.width, f.height],
  );
}
