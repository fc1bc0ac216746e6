-- Live connections per user across instances: presence counts tabs, and the admin console lists them.
CREATE TABLE connections (
  id           text PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  instance_id  text NOT NULL,
  page         text NOT NULL DEFAULT '',
  user_agent   text NOT NULL DEFAULT '',
  connected_at timestamptz NOT NULL DEFAULT now(),
  seen_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX connections_user ON connections (user_id, seen_at);
CREATE INDEX connections_instance ON connections (instance_id);
