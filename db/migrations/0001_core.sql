-- Core chat schema: workspaces own everything; every chat table carries workspace_id.

CREATE TABLE workspaces (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug        text NOT NULL UNIQUE,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id  bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  username      text NOT NULL,
  display_name  text NOT NULL,
  email         text,
  avatar_url    text,
  role          text NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'moderator', 'member', 'guest')),
  permissions   text[] NOT NULL DEFAULT '{}',
  password_hash text,
  external_id   text,
  status        text NOT NULL DEFAULT 'online' CHECK (status IN ('online', 'away', 'busy', 'offline')),
  status_text   text NOT NULL DEFAULT '',
  away_message  text NOT NULL DEFAULT '',
  deactivated_at timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, username)
);
CREATE UNIQUE INDEX users_external ON users (workspace_id, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE sessions (
  token_hash   text PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  user_agent   text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key        text NOT NULL,
  failed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key ON login_failures (key, failed_at);

CREATE TABLE channels (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id  bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind          text NOT NULL CHECK (kind IN ('public_channel', 'private_channel', 'direct_message', 'group')),
  name          text NOT NULL DEFAULT '',
  description   text NOT NULL DEFAULT '',
  read_only     boolean NOT NULL DEFAULT false,
  allow_posting boolean NOT NULL DEFAULT true,
  archived_at   timestamptz,
  dm_key        text,
  created_by    bigint REFERENCES users(id) ON DELETE SET NULL,
  last_seq      bigint NOT NULL DEFAULT 0,
  last_message_at timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX channels_name ON channels (workspace_id, lower(name))
  WHERE kind IN ('public_channel', 'private_channel');
CREATE UNIQUE INDEX channels_dm ON channels (workspace_id, dm_key) WHERE dm_key IS NOT NULL;

CREATE TABLE members (
  channel_id    bigint NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  workspace_id  bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  role          text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'moderator', 'member')),
  can_post      boolean NOT NULL DEFAULT true,
  blocked_by    bigint REFERENCES users(id) ON DELETE SET NULL,
  blocked_at    timestamptz,
  last_read_seq bigint NOT NULL DEFAULT 0,
  joined_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

CREATE TABLE messages (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id  bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  channel_id    bigint NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  sender_id     bigint REFERENCES users(id) ON DELETE SET NULL,
  client_id     text NOT NULL,
  seq           bigint NOT NULL,
  type          text NOT NULL DEFAULT 'text'
                CHECK (type IN ('text', 'file', 'image', 'system', 'broadcast', 'ticket_link')),
  body          text NOT NULL,
  reply_to      bigint REFERENCES messages(id) ON DELETE SET NULL,
  reply_count   integer NOT NULL DEFAULT 0,
  mentions      bigint[] NOT NULL DEFAULT '{}',
  edited_at     timestamptz,
  deleted_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (sender_id, client_id),
  UNIQUE (channel_id, seq)
);
CREATE INDEX messages_channel_id ON messages (channel_id, id DESC);
CREATE INDEX messages_thread ON messages (reply_to, id) WHERE reply_to IS NOT NULL;

-- The ordered, gap-free log of history-changing events per channel; replay on reconnect reads it.
CREATE TABLE channel_events (
  channel_id    bigint NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  seq           bigint NOT NULL,
  workspace_id  bigint NOT NULL,
  event         jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel_id, seq)
);

CREATE TABLE reactions (
  message_id   bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  emoji        text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (message_id, user_id, emoji)
);

CREATE TABLE audit_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint REFERENCES workspaces(id) ON DELETE CASCADE,
  actor_id     bigint REFERENCES users(id) ON DELETE SET NULL,
  action       text NOT NULL,
  target       text NOT NULL DEFAULT '',
  detail       jsonb NOT NULL DEFAULT '{}',
  ip           text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_ws ON audit_log (workspace_id, id DESC);

CREATE TABLE workspace_settings (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  key          text NOT NULL,
  value        jsonb NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, key)
);
