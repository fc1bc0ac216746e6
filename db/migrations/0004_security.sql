-- Security (issue 9).
--
-- Delete means delete, an edit replaces: the event log records what happened and the message it happened to,
-- never a copy of the message. Replay and other instances build message payloads from the current
-- `messages` row, so a deleted message never comes back with its text and an edit never reveals the
-- earlier one. Existing rows keep their type, message id and (for reactions) who and which emoji; the
-- jsonb copies, old bodies included, are dropped.
ALTER TABLE channel_events ADD COLUMN type text;
ALTER TABLE channel_events ADD COLUMN message_id bigint;
ALTER TABLE channel_events ADD COLUMN data jsonb;
UPDATE channel_events SET
  type = event->>'type',
  message_id = coalesce((event->'message'->>'id')::bigint, (event->>'messageId')::bigint),
  data = CASE WHEN event ? 'message' THEN NULL
    ELSE event - 'type' - 'channelId' - 'seq' - 'messageId' END;
ALTER TABLE channel_events ALTER COLUMN type SET NOT NULL;
ALTER TABLE channel_events DROP COLUMN event;

-- A deleted message keeps no text or mentions in storage either.
UPDATE messages SET body = '', mentions = '{}' WHERE deleted_at IS NOT NULL;

-- A retried send is compared with what was first sent, not with the message as edited since: the hash of
-- the original body is kept with the client id.
ALTER TABLE messages ADD COLUMN body_hash text;
UPDATE messages SET body_hash = md5(body);

-- DMs and groups have no owners or moderators: nobody in a conversation has power over the others.
UPDATE members m SET role = 'member' FROM channels c
  WHERE c.id = m.channel_id AND c.kind IN ('direct_message', 'group') AND m.role <> 'member';
