-- Visitor attachments: a file a visitor attaches in a visitor conversation. Reached only through that
-- conversation (the visitor's token, or staff who may read it); the bytes live in the same storage as
-- staff files, under w<workspace>/v<conversation>/f<id>. The message that carries it points at it.
CREATE TABLE visitor_files (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id    bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  conversation_id bigint NOT NULL REFERENCES visitor_conversations(id) ON DELETE CASCADE,
  name            text NOT NULL,
  mime            text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('image', 'video', 'audio', 'pdf', 'file')),
  size            bigint NOT NULL DEFAULT 0,
  width           integer,
  height          integer,
  backend         text NOT NULL,
  storage_key     text NOT NULL DEFAULT '',
  thumb_key       text,
  status          text NOT NULL DEFAULT 'uploading' CHECK (status IN ('uploading', 'ready')),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visitor_files_conversation ON visitor_files (conversation_id);

ALTER TABLE visitor_messages ADD COLUMN file_id bigint REFERENCES visitor_files(id) ON DELETE SET NULL;
