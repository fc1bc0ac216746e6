-- Admin dashboard and Analytics at a million messages (issue 13): per-day rollups of closed UTC days.
-- A closed day's counts are computed once, when a chart first needs them (db/repos/analytics_rollup.ts),
-- and marked in analytics_days; today is always counted live. Whatever changes a closed day afterwards
-- (a message deleted or re-dated, a file deleted, a channel deleted) drops that day's mark, so the next
-- read computes it again. Nothing here runs on the send path. (The migrator splits statements at a `;` that
-- ends a line, so the function bodies keep theirs mid-line.)

CREATE TABLE analytics_days (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  day          date NOT NULL,
  computed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, day)
);

-- Messages per day, channel and sender (0: a removed sender).
CREATE TABLE analytics_day_senders (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  day          date NOT NULL,
  channel_id   bigint NOT NULL,
  sender_id    bigint NOT NULL,
  messages     integer NOT NULL,
  PRIMARY KEY (workspace_id, day, channel_id, sender_id)
);

-- Messages per day and hour (UTC), for the hour-of-week heatmap.
CREATE TABLE analytics_day_hours (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  day          date NOT NULL,
  hour         smallint NOT NULL,
  messages     integer NOT NULL,
  PRIMARY KEY (workspace_id, day, hour)
);

-- Files shared per day.
CREATE TABLE analytics_day_files (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  day          date NOT NULL,
  files        integer NOT NULL,
  PRIMARY KEY (workspace_id, day)
);

CREATE FUNCTION parley_analytics_forget_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM analytics_days WHERE workspace_id = OLD.workspace_id
    AND day IN ((OLD.created_at AT TIME ZONE 'UTC')::date, (NEW.created_at AT TIME ZONE 'UTC')::date); RETURN NULL; END $$;
CREATE TRIGGER messages_analytics_forget AFTER UPDATE OF deleted_at, created_at ON messages
  FOR EACH ROW WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION parley_analytics_forget_message();

CREATE FUNCTION parley_analytics_forget_file() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM analytics_days WHERE workspace_id = OLD.workspace_id
    AND day IN ((OLD.created_at AT TIME ZONE 'UTC')::date, (NEW.created_at AT TIME ZONE 'UTC')::date); RETURN NULL; END $$;
CREATE TRIGGER files_analytics_forget AFTER UPDATE OF status, message_id, created_at ON files
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.message_id IS DISTINCT FROM NEW.message_id
    OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION parley_analytics_forget_file();

-- A deleted channel takes its messages with it (ON DELETE CASCADE): its workspace's days are recomputed.
CREATE FUNCTION parley_analytics_forget_channel() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM analytics_days WHERE workspace_id = OLD.workspace_id; RETURN NULL; END $$;
CREATE TRIGGER channels_analytics_forget AFTER DELETE ON channels
  FOR EACH ROW EXECUTE FUNCTION parley_analytics_forget_channel();

-- Purge of old data (Control panel): one purge at a time per workspace. A row left by a crashed server
-- stops blocking after an hour.
CREATE TABLE purge_runs (
  workspace_id bigint PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  started_at   timestamptz NOT NULL DEFAULT now()
);
