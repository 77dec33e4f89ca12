-- Per-source fetch state carried between runs (core/fetch_state.h SourceState).
CREATE TABLE source_state (
  url                  text        NOT NULL PRIMARY KEY,
  etag                 text,
  last_modified        text,
  last_status          integer     NOT NULL DEFAULT 0,
  last_error           text        NOT NULL DEFAULT '',
  consecutive_failures integer     NOT NULL DEFAULT 0,
  last_success_at      timestamptz,
  next_attempt_at      timestamptz,
  permanent_redirect   text,
  gone                 boolean     NOT NULL DEFAULT false,
  updated_at           timestamptz NOT NULL DEFAULT now()
);
