-- Notifications (docs/notifications.md): per-person preferences, per-conversation levels, push
-- subscriptions, the server's keys, what is waiting to be mailed or pushed, and the outbox of deliveries.

-- Keys generated on first start: the VAPID key pair for Web Push and the secret that signs unsubscribe links.
CREATE TABLE notification_keys (
  id                 integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  vapid_public_key   text NOT NULL,
  vapid_private_key  text NOT NULL,
  link_secret        text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now()
);

-- A person's own choices; anything left out follows the workspace defaults.
CREATE TABLE notification_prefs (
  user_id      bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  prefs        jsonb NOT NULL DEFAULT '{}',
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- all / mentions / mute per person and conversation; no row means the default for the conversation's kind.
CREATE TABLE notification_levels (
  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  channel_id bigint NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  level      text NOT NULL CHECK (level IN ('all', 'mentions', 'mute')),
  PRIMARY KEY (user_id, channel_id)
);

-- One Web Push subscription per device and browser.
CREATE TABLE push_subscriptions (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  endpoint     text NOT NULL UNIQUE,
  p256dh       text NOT NULL,
  auth         text NOT NULL,
  device       text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);

-- How far the scanner has read the messages table (one row).
CREATE TABLE notification_cursor (
  id              integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  last_message_id bigint NOT NULL DEFAULT 0
);

-- A message that concerns a person, waiting for its email window. The key makes a rescan harmless.
CREATE TABLE notification_items (
  user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  message_id   bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL,
  channel_id   bigint NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  seq          bigint NOT NULL,
  reason       text NOT NULL CHECK (reason IN ('dm', 'mention', 'keyword', 'all')),
  created_at   timestamptz NOT NULL,
  email_due_at timestamptz,
  email_state  text NOT NULL DEFAULT 'none' CHECK (email_state IN ('none', 'pending', 'batched', 'dropped')),
  PRIMARY KEY (user_id, message_id)
);
CREATE INDEX notification_items_due ON notification_items (email_due_at) WHERE email_state = 'pending';

-- Every delivery (an email, a push to one device) once, under an idempotent key.
CREATE TABLE notification_outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  idem_key        text NOT NULL UNIQUE,
  workspace_id    bigint REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id         bigint REFERENCES users(id) ON DELETE CASCADE,
  transport       text NOT NULL CHECK (transport IN ('email', 'push')),
  kind            text NOT NULL,
  payload         jsonb NOT NULL DEFAULT '{}',
  state           text NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'sending', 'sent', 'dropped', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  claimed_at      timestamptz,
  last_error      text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at) WHERE state = 'pending';
