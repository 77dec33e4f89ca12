-- One row per configured feed, filled on every run (sinks/postgres_sink.h write_feed):
-- what the source list and the feed's own document say about it. url is the configured URL
-- with any user:password removed. Articles refer to their feed by feed_id.
CREATE TABLE feeds (
  feed_id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  url           text        NOT NULL UNIQUE,
  title         text,
  site_url      text,
  description   text,
  language      text,         -- BCP 47, as the feed declares it
  image_url     text,
  categories    text[]      NOT NULL DEFAULT '{}',  -- OPML category path, outermost first
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now()
);

-- Media, language and the feed reference of each article. record_version says which record
-- format wrote the row: a loader writing a newer format rewrites older rows it meets even when
-- their content is unchanged, so that an upgraded database gets the new columns filled.
-- IF NOT EXISTS: `rssflow migrate --repair` after a lost feeds table runs this file again on
-- the articles table that kept its columns (dropping feeds CASCADE took the foreign key).
ALTER TABLE articles
  ADD COLUMN IF NOT EXISTS feed_id        bigint,
  ADD COLUMN IF NOT EXISTS enclosures     jsonb    NOT NULL DEFAULT '[]',
  ADD COLUMN IF NOT EXISTS image_url      text,
  ADD COLUMN IF NOT EXISTS language       text,
  ADD COLUMN IF NOT EXISTS record_version smallint NOT NULL DEFAULT 1;
ALTER TABLE articles ADD CONSTRAINT articles_feed_id_fkey FOREIGN KEY (feed_id) REFERENCES feeds (feed_id);

-- Feeds of the rows already loaded, so that every article has its feed from now on.
INSERT INTO feeds (url, first_seen_at, last_seen_at)
  SELECT regexp_replace(feed_url, '^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@', '\1'), min(first_seen_at), max(fetched_at)
  FROM articles GROUP BY 1
  ON CONFLICT (url) DO NOTHING;
UPDATE articles AS a SET feed_id = f.feed_id
  FROM feeds AS f WHERE f.url = regexp_replace(a.feed_url, '^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@', '\1');

CREATE INDEX IF NOT EXISTS articles_feed_id_idx ON articles (feed_id);
-- WHERE categories @> '{Design}' (OPML groups, entry and media categories).
CREATE INDEX IF NOT EXISTS articles_categories_gin ON articles USING gin (categories);
