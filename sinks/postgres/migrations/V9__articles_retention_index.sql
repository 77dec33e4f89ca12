-- `rssflow prune` deletes articles by this date (publication, else first seen), oldest first.
CREATE INDEX IF NOT EXISTS articles_retention_idx ON articles ((coalesce(published_at, first_seen_at)));
