-- Visitor messages no slower than staff messages (issue 11): the visitor's connection count leaves the
-- conversation row.
--
-- A visitor socket's open and close, and the 10-second "still here" touch of every connected visitor,
-- updated `visitor_conversations` itself, so under load they queued behind the row lock of an assignment
-- transaction or of a message batch (and held a pooled connection while waiting), and each message batch
-- waited for them in turn. They now write a small row of their own per conversation; the conversation row
-- is written only by what changes the conversation (status, holder, sequence, seen positions).
--
-- `connections` counts the open visitor sockets over all instances; `seen_at` is the last time a socket
-- opened or closed or an instance reported the visitor's socket still open (every 10 s), so a count left
-- behind by an instance that died is recognised as stale (db/repos/visitor_presence.ts). A conversation
-- without a row (inserted by other means) has had no visitor socket: its `created_at` stands for `seen_at`.
CREATE TABLE visitor_presence (
  conversation_id bigint PRIMARY KEY REFERENCES visitor_conversations(id) ON DELETE CASCADE,
  connections     integer NOT NULL DEFAULT 0,
  seen_at         timestamptz NOT NULL DEFAULT now()
);

INSERT INTO visitor_presence (conversation_id, connections, seen_at)
  SELECT id, visitor_connections, visitor_seen_at FROM visitor_conversations;

ALTER TABLE visitor_conversations DROP COLUMN visitor_connections, DROP COLUMN visitor_seen_at;
