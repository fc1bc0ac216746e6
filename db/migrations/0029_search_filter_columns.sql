-- Search filters on the side table (issue 16, fifth pass).
--
-- Since migration 0026 a filtered search (`from:@person`, `before:`/`after:`/`on:`) tested `messages.sender_id`
-- and `messages.created_at` through a join, so Postgres walked `message_search` newest first and fetched each
-- row's message to test the filter: 67 -> 232 ms for a sender with no hit over 100,000 messages. The row now
-- carries what the filters need, written by the indexer and by an edit (neither value changes after the send),
-- and indexes serve them: a sender's rows newest first, and a date range. The message itself is read only
-- for the page's rows (and still must be live there).
ALTER TABLE message_search ADD COLUMN sender_id bigint, ADD COLUMN created_at timestamptz;

UPDATE message_search s SET sender_id = m.sender_id, created_at = m.created_at
  FROM messages m WHERE m.id = s.message_id;

ALTER TABLE message_search ALTER COLUMN created_at SET NOT NULL;

CREATE INDEX message_search_sender ON message_search (sender_id, message_id);
CREATE INDEX message_search_created ON message_search (created_at);
