-- The staff widget embedded by a host application on another origin (docs/widget.md).
--
-- An embed session is a short-lived bearer session opened from the host's signed JWT over CORS. It is bound
-- to the host origin it was opened from: requests and sockets that use it must come from that origin, and
-- only while the origin is on the workspace's `widget.host_origins` list. Sign-out, deactivation and
-- "sign everyone out" end it like any session (it is a row of `sessions`).
ALTER TABLE sessions ADD COLUMN embed_origin text;

-- A browser cannot put an Authorization header on a WebSocket, so an embedded widget first asks for a
-- ticket (with its bearer token over CORS) and opens the socket with it (purpose 'socket'). "Open in full
-- chat" in a new tab on Parley's origin uses one too (purpose 'open'). Single use, valid 60 seconds, for one
-- session and one origin. Only its hash is stored.
CREATE TABLE embed_tickets (
  ticket_hash  text PRIMARY KEY,
  purpose      text NOT NULL CHECK (purpose IN ('socket', 'open')),
  session_hash text NOT NULL REFERENCES sessions(token_hash) ON DELETE CASCADE,
  origin       text NOT NULL,
  expires_at   timestamptz NOT NULL
);
CREATE INDEX embed_tickets_expiry ON embed_tickets (expires_at);
