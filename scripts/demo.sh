#!/usr/bin/env bash
# The main job, as a new user first meets it: install what is missing, build, start a local
# PostgreSQL (unless DATABASE_URL points at one), run `rssflow run` over the bundled offline
# snapshot of the default sources, and show a few loaded rows. Safe to run again: the second
# run inserts nothing new (idempotent load) and the cluster is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
RSSFLOW_BUILD_TARGET=rssflow scripts/setup.sh

mkdir -p var
if [[ -z "${DATABASE_URL:-}" ]]; then
  # A project-local cluster in var/pg, on a unix socket only; reused while it answers.
  if [[ -f var/pg/conninfo ]] && psql "$(cat var/pg/conninfo)" -qAtc 'select 1' >/dev/null 2>&1; then
    echo "demo: reusing the local PostgreSQL in var/pg" >&2
  else
    scripts/pg_test_cluster.sh start var/pg >&2
  fi
  DATABASE_URL=$(cat var/pg/conninfo)
  export DATABASE_URL
fi

status=0
build/rssflow run --sources config/snapshot/sources.opml --sink postgres \
  --metrics-file var/rssflow.prom --report var/report.json --lock-file var/rssflow.lock || status=$?

echo
echo "A few loaded rows (of $(psql "$DATABASE_URL" -qAtc 'select count(*) from articles') in table articles):"
psql "$DATABASE_URL" -P pager=off -c "
  select to_char(published_at, 'YYYY-MM-DD') as published,
         left(title, 48) as title,
         array_to_string(keywords[1:3], ', ') as keywords,
         substring(url from '//([^/]+)') as site
  from (select distinct on (feed_url) * from articles
        order by feed_url, published_at desc nulls last) as latest_per_feed
  order by published_at desc nulls last limit 8"
echo "Run report: var/report.json   Metrics: var/rssflow.prom   Stop the database: scripts/pg_test_cluster.sh stop var/pg"
exit "$status"
