-- Search off the send path (issue 16, fourth pass).
--
-- The three search indexes on `messages` (full text on the stored `tsv`, trigrams on `lower(body)`, CJK
-- bigrams) were updated by every send inside its transaction: most of Postgres' CPU per durable message
-- beyond the commit itself, and GIN's pending-list cleanup landed on whichever send found the list full.
-- Search now reads a table of its own, filled by a background indexer in batches (domain/search_indexer.ts:
-- one INSERT … SELECT per batch, after the sends committed), re-indexed by an edit and emptied by a delete
-- in their own transactions. A removed message (channel, workspace, retention) takes its row by cascade.
CREATE TABLE message_search (
  message_id   bigint PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL,
  channel_id   bigint NOT NULL,
  -- lower(body): what substrings (trigrams), CJK bigrams, phrases and exclusions are matched against.
  body_lower   text NOT NULL,
  tsv          tsvector NOT NULL
);

-- Every message with an id at or below `low` is in message_search, or deleted, or never committed
-- (the indexer's watermark, shared by all instances; no row: 0).
CREATE TABLE message_search_state (
  id  boolean PRIMARY KEY DEFAULT true CHECK (id),
  low bigint NOT NULL
);

INSERT INTO message_search (message_id, workspace_id, channel_id, body_lower, tsv)
  SELECT id, workspace_id, channel_id, lower(body), tsv FROM messages WHERE deleted_at IS NULL;
INSERT INTO message_search_state (low) SELECT max(id) FROM messages HAVING max(id) IS NOT NULL;

DROP INDEX IF EXISTS messages_fts;
DROP INDEX IF EXISTS messages_trgm;
DROP INDEX IF EXISTS messages_cjk;
ALTER TABLE messages DROP COLUMN tsv;

CREATE INDEX message_search_fts ON message_search USING gin (tsv);
CREATE INDEX message_search_trgm ON message_search USING gin (body_lower gin_trgm_ops);
-- Lowercasing leaves CJK characters alone, so their bigrams are those of the body (migration 0018).
CREATE INDEX message_search_cjk ON message_search USING gin (parley_cjk_bigrams(body_lower))
  WHERE body_lower ~ '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]';
