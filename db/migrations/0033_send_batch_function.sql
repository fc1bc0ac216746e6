-- The grouped send as a function (issue 16, tenth pass): the same work as the one statement it replaces
-- (db/repos/message_batch.ts), as a few small statements per send, each a plan of two or three nodes that
-- plpgsql prepares once per session, instead of one plan of ~45 nodes set up and torn down on every call.
--
-- Guarantees, as the statement had them:
-- - Permissions: a send is stored only when the channel is in the sender's workspace, not archived, the
--   sender a member who can post, the channel open for posting (or the sender a moderator), and the
--   workspace not paused by `p_pause` (or the sender exempt). The check runs on the channel row as locked
--   (`FOR UPDATE OF c`: a row changed while waiting is checked again), so a channel archived meanwhile
--   stores nothing.
-- - Order: the sends are taken by channel id, then input order; channel rows are locked in id order (the sort
--   is below the lock), every update of a channel by a transaction that holds its lock, so concurrent batches
--   cannot deadlock. Sequence numbers are the channel's next ones, gap-free, in input order.
-- - Idempotency: a send whose (sender, client id) is stored already is left out (the caller's retry path);
--   the check reads the loop's snapshot, taken before the first insert, so a key twice in one batch or
--   stored by someone else meanwhile fails the whole call (unique violation), which commits nothing.
-- - Each stored message's `message_received` event goes to its channel's log, and the sender's read position
--   moves to it.
-- Returns the stored rows in (channel id, sequence) order.
CREATE FUNCTION parley_insert_batch(p_ord int[], p_ws bigint[], p_ch bigint[], p_snd bigint[], p_cid text[],
  p_type text[], p_body text[], p_mod int[], p_exempt int[], p_pause text)
RETURNS SETOF messages LANGUAGE plpgsql AS $$
-- (Each `;` inside the body has more on its line: db/migrate.ts splits statements at a `;` ending a line.)
DECLARE s record; n bigint; m messages; BEGIN
  FOR s IN
    SELECT t.workspace_id, t.channel_id, t.sender_id, t.client_id, t.type, t.body
    FROM (SELECT * FROM unnest(p_ord, p_ws, p_ch, p_snd, p_cid, p_type, p_body, p_mod, p_exempt)
      LIMIT cardinality(p_ord)) AS t(ord, workspace_id, channel_id, sender_id, client_id, type, body, moderator, exempt)
    JOIN channels c ON c.id = t.channel_id AND c.workspace_id = t.workspace_id
    JOIN members mb ON mb.channel_id = t.channel_id AND mb.user_id = t.sender_id
    WHERE c.archived_at IS NULL AND mb.can_post
      AND ((NOT c.read_only AND c.allow_posting) OR t.moderator = 1 OR mb.role IN ('owner', 'admin', 'moderator'))
      AND NOT EXISTS (SELECT 1 FROM messages x WHERE x.sender_id = t.sender_id AND x.client_id = t.client_id)
      AND (t.exempt = 1 OR NOT EXISTS (SELECT 1 FROM workspace_settings w
        WHERE w.workspace_id = t.workspace_id AND w.key = p_pause AND w.value = 'true'::jsonb))
    ORDER BY t.channel_id, t.ord
    FOR UPDATE OF c
  LOOP
    UPDATE channels SET last_seq = last_seq + 1, last_message_at = now() WHERE id = s.channel_id
      RETURNING last_seq INTO n; INSERT INTO messages (workspace_id, channel_id, sender_id, client_id, seq,
      type, body, reply_to, mentions, body_hash)
    VALUES (s.workspace_id, s.channel_id, s.sender_id, s.client_id, n, s.type, s.body, NULL, '{}'::bigint[],
      md5(s.body))
    RETURNING * INTO m; INSERT INTO channel_events (channel_id, seq, workspace_id, type, message_id)
    VALUES (m.channel_id, m.seq, m.workspace_id, 'message_received', m.id); UPDATE members
    SET last_read_seq = greatest(last_read_seq, n) WHERE channel_id = s.channel_id AND user_id = s.sender_id; RETURN NEXT m; END LOOP; END $$;
