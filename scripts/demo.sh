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
  select to_char(sort_at, 'YYYY-MM-DD') as date,
         left(title, 38) as title,
         array_to_string(keywords[1:3], ',') as tags,
         left(array_to_string(categories[1:2], ' / '), 24) as categories,
         language as lang,
         substring(image_url from '//([^/]+)') as image_host,
         substring(url from '//([^/]+)') as site
  from (select distinct on (feed_id) * from recent_articles
        order by feed_id, sort_at desc) as latest_per_feed
  order by sort_at desc limit 8"
psql "$DATABASE_URL" -P pager=off -c "
  select count(*) as articles,
         count(*) filter (where keywords <> '{}') as with_tags,
         count(*) filter (where categories <> '{}') as with_categories,
         count(*) filter (where image_url is not null) as with_image,
         count(*) filter (where language is not null) as with_language,
         count(*) filter (where url like 'file:%') as file_urls
  from articles"
echo "Top tags: $(psql "$DATABASE_URL" -qAtc "select string_agg(name || ' ' || n, ', ') from (select k.name, count(*) as n
  from articles a, unnest(a.keywords) as t(slug) join keywords k using (slug) group by 1 order by 2 desc limit 8) as top")"
echo "Run report: var/report.json   Metrics: var/rssflow.prom   Stop the database: scripts/pg_test_cluster.sh stop var/pg"
exit "$status"
