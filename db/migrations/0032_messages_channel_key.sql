-- Cost of a durable send (issue 16, ninth pass): one key check fewer per stored message, as 0025 did for the
-- channel's log.
--
-- Every insert into messages ran the foreign-key check on messages.channel_id: a query per row (through SPI,
-- an executor start and end each) that locks the channel's row FOR KEY SHARE; ~11 µs of Postgres CPU per
-- message (bench/pg_batch_ab.ts, statements of 5: 635 -> 556 µs). Every writer already guarantees the
-- channel: a message is stored only after its transaction took the channel's next sequence number with an
-- UPDATE of that row (`channels.nextSeq`, which fails without the row, or the grouped send's `bumped` after
-- its `FOR UPDATE`, which stores nothing for a channel it did not lock), and that row lock is held until
-- commit, so the channel cannot be deleted before the message is stored. What the key still did, remove a
-- channel's messages with the channel (ON DELETE CASCADE, which then cascades from each message to its
-- reactions, files, notifications and search row as before), a trigger does now, on the rare delete.
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_channel_id_fkey;

CREATE FUNCTION parley_messages_forget_channel() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN DELETE FROM messages WHERE channel_id = OLD.id; RETURN NULL; END $$;
CREATE TRIGGER channels_messages_forget AFTER DELETE ON channels
  FOR EACH ROW EXECUTE FUNCTION parley_messages_forget_channel();
