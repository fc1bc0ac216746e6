-- The search row's link to its message without a foreign key (issue 16, seventh pass).
--
-- The key of `message_search.message_id` checked every row the search indexer stores with a query of its own
-- (`SELECT 1 FROM messages … FOR KEY SHARE`, run by a trigger per row): ~45 µs of Postgres CPU per message,
-- a quarter of the indexer's cost (bench/pg_index_cost.ts, paired blocks), for nothing the writers do not
-- already ensure: the indexer stores a row only for a message it holds `FOR SHARE` in the same statement, and
-- an edit only for the message its own UPDATE holds, so a delete of the message waits for them either way.
-- What the key did on the other side stays: removing a message (retention, its channel or workspace by
-- cascade) removes its search row, now by this trigger, in the same transaction, as the cascade did.
ALTER TABLE message_search DROP CONSTRAINT message_search_message_id_fkey;

CREATE FUNCTION parley_message_search_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN DELETE FROM message_search WHERE message_id = OLD.id; RETURN NULL; END $$;
CREATE TRIGGER messages_search_forget AFTER DELETE ON messages
  FOR EACH ROW EXECUTE FUNCTION parley_message_search_forget();
