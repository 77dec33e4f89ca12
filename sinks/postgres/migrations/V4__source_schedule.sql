-- The per-feed schedule and unchanged-body detection (sources/fetch_schedule.h, issue 12).
ALTER TABLE source_state
  ADD COLUMN IF NOT EXISTS next_fetch_at            timestamptz,
  ADD COLUMN IF NOT EXISTS body_hash                text,
  ADD COLUMN IF NOT EXISTS entries                  integer  NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS ttl_seconds              integer,
  ADD COLUMN IF NOT EXISTS update_period_seconds    integer,
  ADD COLUMN IF NOT EXISTS skip_hours               integer  NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS skip_days                smallint NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS publish_interval_seconds integer;
