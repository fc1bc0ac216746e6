-- Calls (domain/calls.ts, docs/calls.md): one row per call, one per person asked or joined.
-- Media never touches the server; these rows are the call's state, its record and the call history.
CREATE TABLE calls (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  channel_id   bigint NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  started_by   bigint REFERENCES users(id) ON DELETE SET NULL,
  media        text NOT NULL CHECK (media IN ('audio', 'video')),
  state        text NOT NULL DEFAULT 'ringing' CHECK (state IN ('ringing', 'active', 'ended')),
  end_reason   text CHECK (end_reason IN ('completed', 'missed', 'declined', 'cancelled')),
  started_at   timestamptz NOT NULL DEFAULT now(),
  answered_at  timestamptz,
  ended_at     timestamptz
);
-- At most one live call per conversation: a second "Start call" joins the first.
CREATE UNIQUE INDEX calls_one_live ON calls (channel_id) WHERE state <> 'ended';
CREATE INDEX calls_live ON calls (state, started_at) WHERE state <> 'ended';

CREATE TABLE call_participants (
  call_id         bigint NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  user_id         bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  state           text NOT NULL CHECK (state IN ('ringing', 'joined', 'left', 'declined', 'missed')),
  connection_id   text,
  asked_at        timestamptz NOT NULL DEFAULT now(),
  joined_at       timestamptz,
  left_at         timestamptz,
  -- Set when the joined socket was seen gone; cleared by a rejoin from the new socket.
  disconnected_at timestamptz,
  rating          smallint CHECK (rating BETWEEN 1 AND 5),
  PRIMARY KEY (call_id, user_id)
);
CREATE INDEX call_participants_user ON call_participants (user_id, call_id DESC);
