-- Admin console (issue 13): message retention with a legal hold per channel, and a log of every run.

ALTER TABLE channels ADD COLUMN legal_hold boolean NOT NULL DEFAULT false;

-- Retention finds expired messages of a workspace by age.
CREATE INDEX messages_ws_created ON messages (workspace_id, created_at) WHERE deleted_at IS NULL;

CREATE TABLE retention_runs (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  cutoff       timestamptz NOT NULL,
  days         int NOT NULL,
  dry_run      boolean NOT NULL DEFAULT false,
  trigger      text NOT NULL CHECK (trigger IN ('schedule', 'admin')),
  messages     int NOT NULL DEFAULT 0,
  files        int NOT NULL DEFAULT 0,
  held_channels int NOT NULL DEFAULT 0
);
CREATE INDEX retention_runs_ws ON retention_runs (workspace_id, id DESC);
