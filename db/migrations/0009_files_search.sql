-- Files attached to messages, their stored bytes (database backend), and the search indexes.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE files (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id  bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  channel_id    bigint NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  uploader_id   bigint REFERENCES users(id) ON DELETE SET NULL,
  -- Null until the message that carries the file is committed; files left without one are orphans.
  message_id    bigint REFERENCES messages(id) ON DELETE CASCADE,
  name          text NOT NULL,
  mime          text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('image', 'video', 'audio', 'pdf', 'file')),
  size          bigint NOT NULL DEFAULT 0,
  width         integer,
  height        integer,
  backend       text NOT NULL,
  storage_key   text NOT NULL,
  preview_key   text,
  thumb_key     text,
  status        text NOT NULL DEFAULT 'uploading' CHECK (status IN ('uploading', 'ready', 'deleted')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  deleted_at    timestamptz
);
CREATE INDEX files_message ON files (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX files_channel ON files (channel_id, id DESC) WHERE message_id IS NOT NULL AND status = 'ready';
CREATE INDEX files_orphans ON files (created_at) WHERE message_id IS NULL OR status = 'deleted';
CREATE INDEX files_name_trgm ON files USING gin (lower(name) gin_trgm_ops) WHERE status = 'ready';

-- The database storage backend: each stored object in parts of up to 256 KiB, so nothing is held whole.
CREATE TABLE file_blobs (
  key   text NOT NULL,
  part  integer NOT NULL,
  data  bytea NOT NULL,
  PRIMARY KEY (key, part)
);

-- Search: full text with English stemming, and trigrams for substrings (CJK, identifiers, "#4521").
-- Deleted messages are not in either index; an edit replaces the indexed text in the same statement.
CREATE INDEX messages_fts ON messages USING gin (to_tsvector('english', body)) WHERE deleted_at IS NULL;
CREATE INDEX messages_trgm ON messages USING gin (lower(body) gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX users_name_trgm ON users USING gin (lower(username || ' ' || display_name) gin_trgm_ops);
CREATE INDEX channels_name_trgm ON channels USING gin (lower(name) gin_trgm_ops);
