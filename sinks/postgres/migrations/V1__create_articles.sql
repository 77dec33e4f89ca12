-- One row per article: the record of shared/CONTRACT.md as typed columns.
-- Hashes are XXH3-128 digests stored as 16-byte bytea: encode(url_hash, 'hex') equals the
-- url_hash field of the JSON Lines record, and lookups use decode('<32 hex digits>', 'hex').
CREATE TABLE articles (
  url_hash      bytea       NOT NULL PRIMARY KEY CHECK (octet_length(url_hash) = 16),
  url           text        NOT NULL,
  guid          text        NOT NULL,
  title         text        NOT NULL,
  author        text,
  published_at  timestamptz,
  summary       text        NOT NULL,
  content_text  text        NOT NULL,
  keywords      text[]      NOT NULL DEFAULT '{}',
  categories    text[]      NOT NULL DEFAULT '{}',
  feed_url      text        NOT NULL,
  content_hash  bytea       NOT NULL CHECK (octet_length(content_hash) = 16),
  fetched_at    timestamptz NOT NULL,
  -- url_hash of the first copy when this article is a near-duplicate of another.
  duplicate_of  bytea       CHECK (duplicate_of IS NULL OR octet_length(duplicate_of) = 16),
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  -- when the row was inserted or its content_hash last changed
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Long text compresses with lz4 where the server has it (PostgreSQL 14+ built with lz4, as
-- Debian's and the PGDG packages are): loading is several times cheaper than with the default
-- pglz. EXECUTE defers parsing, so older servers skip it.
DO $$
BEGIN
  IF current_setting('server_version_num')::int >= 140000 THEN
    EXECUTE 'ALTER TABLE articles ALTER COLUMN summary SET COMPRESSION lz4,'
            ' ALTER COLUMN content_text SET COMPRESSION lz4';
  END IF;
EXCEPTION WHEN feature_not_supported THEN
  NULL;  -- server built without lz4
END $$;

CREATE INDEX articles_keywords_gin ON articles USING gin (keywords);
CREATE INDEX articles_published_at_idx ON articles (published_at DESC NULLS LAST);
CREATE INDEX articles_feed_url_idx ON articles (feed_url);
