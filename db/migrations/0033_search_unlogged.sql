-- The search rows as derived, unlogged data (issue 16, eleventh pass).
--
-- `message_search` and its GIN indexes wrote ~2.6 KB of the ~4 KB of WAL per message
-- (bench/notes/steady_tail.md, "The steady tail's WAL and the load generator"), all of it flushed by
-- whichever send committed next. Everything in them can be made again from `messages`, so they go unlogged:
-- no WAL, not on streaming replicas or in a base backup, and emptied by crash recovery. The watermark
-- (`message_search_state`) is unlogged with them, so a crash empties both together and the indexer starts
-- again from the first message. `generation` names one life of the two tables: a row made after an emptying
-- gets a new one, so an instance that still holds a watermark of the old life (its database crashed under it)
-- notices instead of skipping what is now missing, and cannot write that watermark into the new row
-- (domain/search_indexer.ts). pg_dump still dumps both.
ALTER TABLE message_search_state
  ADD COLUMN generation bigint NOT NULL DEFAULT (floor(random() * 9007199254740991))::bigint;

ALTER TABLE message_search SET UNLOGGED;
ALTER TABLE message_search_state SET UNLOGGED;
