-- Cost of a durable send (issue 16): one key check fewer per stored message.
--
-- Every insert into channel_events ran the foreign-key check on channel_events.channel_id: a query per row
-- that locks the channel's row FOR KEY SHARE. The insert's own transaction already guarantees the channel:
-- every event is appended after the transaction took the channel's next sequence number with an UPDATE of
-- that row (`channels.nextSeq`, the grouped send's `bumped`), which fails without the row and holds its
-- lock until commit, so the channel cannot be deleted before the event is stored. What the key still did,
-- remove a channel's log with the channel (ON DELETE CASCADE), a trigger does now, on the rare delete.
ALTER TABLE channel_events DROP CONSTRAINT IF EXISTS channel_events_channel_id_fkey;

CREATE FUNCTION parley_channel_events_forget_channel() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN DELETE FROM channel_events WHERE channel_id = OLD.id; RETURN NULL; END $$;
CREATE TRIGGER channels_events_forget AFTER DELETE ON channels
  FOR EACH ROW EXECUTE FUNCTION parley_channel_events_forget_channel();
