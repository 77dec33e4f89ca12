-- Sorting and incremental sync. sort_at puts undated articles where they were first seen
-- instead of at the end of "newest first". IF NOT EXISTS / OR REPLACE: `rssflow migrate
-- --repair` may run this file again on an articles table that kept them.
ALTER TABLE articles ADD COLUMN IF NOT EXISTS sort_at timestamptz GENERATED ALWAYS AS (coalesce(published_at, first_seen_at)) STORED;
CREATE INDEX IF NOT EXISTS articles_sort_at_idx ON articles (sort_at DESC);
CREATE INDEX IF NOT EXISTS articles_first_seen_at_idx ON articles (first_seen_at);
CREATE INDEX IF NOT EXISTS articles_updated_at_idx ON articles (updated_at);

-- Articles that are not near-duplicates of another, newest first (README has example queries).
CREATE OR REPLACE VIEW recent_articles AS
  SELECT url_hash, url, title, author, published_at, sort_at, summary, keywords, categories, language,
         image_url, enclosures, feed_id, feed_url, first_seen_at, updated_at
  FROM articles
  WHERE duplicate_of IS NULL
  ORDER BY sort_at DESC;
