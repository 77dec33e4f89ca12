-- The keyword dictionary (config/keywords.tsv) as a table: articles.keywords holds the slugs,
-- this gives their display names and groups. Loaded (upserted) by every run that writes to
-- PostgreSQL, so it follows the dictionary the run used.
CREATE TABLE keywords (
  slug       text        NOT NULL PRIMARY KEY,  -- what articles.keywords holds: 'rust', 'cpp'
  name       text        NOT NULL,              -- display name: 'Rust', 'C++'
  "group"    text        NOT NULL,              -- 'languages', 'databases', 'design-tools'...
  updated_at timestamptz NOT NULL DEFAULT now()
);
