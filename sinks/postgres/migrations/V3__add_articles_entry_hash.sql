-- XXH3-128 of the raw feed entry the row was built from (transforms/article_builder.h
-- EntryIdentity::entry_hash). A run skips an entry whose entry_hash is stored, before any
-- cleaning: its row would come out the same. NULL for rows loaded before V3 (the next run
-- that meets their entry fills it in).
ALTER TABLE articles ADD COLUMN entry_hash bytea CHECK (octet_length(entry_hash) = 16);
