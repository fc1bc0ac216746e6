-- Search that stays fast over a million messages, and finds two-character CJK words.
--
-- 1. The stemmed words of each message are stored (`tsv`, a generated column) instead of only indexed as
--    an expression. Postgres then keeps statistics on them, so it knows "deploy" is in one message of eight
--    and reads the newest messages of the readable channels until it has a page of results, instead of
--    fetching every match in the workspace first; and a row is tested with `tsv @@ query` without
--    re-parsing its text. (Measured on 1,000,000 messages: the common word went from a 125,000-row bitmap
--    to a backward scan of ~5,000 rows.) The send path computed the same vector for the old index.
-- 2. pg_trgm cannot index a substring shorter than three characters, and Chinese and Japanese words are
--    often two ("東京"): every run of CJK characters is also indexed as its characters and character
--    bigrams (the approach of Lucene's CJK analyzer), independent of the database's locale, in a partial
--    index over the messages that contain any.
DROP INDEX IF EXISTS messages_fts;
ALTER TABLE messages ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED;
CREATE INDEX messages_fts ON messages USING gin (tsv) WHERE deleted_at IS NULL;

-- The distinct characters and character bigrams of the CJK runs of a text (the characters let a search
-- for one character use the index too).
CREATE FUNCTION parley_cjk_bigrams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}')
  FROM (SELECT (regexp_matches(t, '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+', 'g'))[1] AS run) r,
    generate_series(1, length(r.run)) i,
    unnest(ARRAY[substr(r.run, i, 1)] || CASE WHEN i < length(r.run) THEN ARRAY[substr(r.run, i, 2)] ELSE '{}'::text[] END) g
$$;

CREATE INDEX messages_cjk ON messages USING gin (parley_cjk_bigrams(body))
  WHERE deleted_at IS NULL AND body ~ '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]';
