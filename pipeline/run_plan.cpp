#include "pipeline/run_plan.h"

#include <algorithm>
#include <unordered_set>

#include "sources/fetch_policy.h"
#include "sources/fetch_schedule.h"

namespace rssflow {

std::vector<std::string> unknown_only_urls(const SourceList& list, const RunConfig& config) {
  std::unordered_set<std::string> known;
  for (const Source& source : list.sources) known.insert(source.url);
  std::vector<std::string> unknown;
  for (const std::string& url : config.only) {
    if (!known.contains(url)) unknown.push_back(url);
  }
  return unknown;
}

PlannedRun plan_sources(SourceList list, const RunConfig& config,
                        const std::unordered_map<std::string, SourceState>& states, const Quarantine& quarantine,
                        Instant now) {
  const std::unordered_set<std::string> only(config.only.begin(), config.only.end());
  PlannedRun plan;
  std::size_t index = 0;
  if (only.empty()) {
    for (StageError& error : list.errors) {
      SourceOutcome o;
      o.source.url = error.feed_url;
      o.status = SourceStatus::failed;
      o.error = std::move(error);
      plan.early_index.push_back(index++);
      plan.early.push_back(std::move(o));
    }
  }
  // Sized once: growing it by doubling held up to twice the jobs' bytes while it moved them
  // (the peak of a 10,000-source run: 9.6 of its 32 MB of heap).
  plan.due.reserve(list.sources.size());
  for (Source& source : list.sources) {
    if (config.shard && !in_shard(source, *config.shard)) continue;
    if (!only.empty() && !only.contains(source.url)) continue;
    SourceJob job;
    job.index = index++;
    job.schedule = policy_for(source, config.schedule);
    job.parse_unchanged_body = config.write_all;
    job.source = std::move(source);
    if (const auto it = states.find(job.source.url); it != states.end()) job.prior_state = it->second;
    job.prior_state.url = job.source.url;
    if (quarantine.urls.contains(job.source.url)) {
      SourceOutcome o;
      o.source = std::move(job.source);
      o.status = SourceStatus::failed;
      o.error = quarantine_error(job.prior_state);
      o.state = std::move(job.prior_state);
      plan.early_index.push_back(job.index);
      plan.early.push_back(std::move(o));
      continue;
    }
    const bool backing_off = !is_due(job.prior_state, now);
    if (job.prior_state.gone || (backing_off && !config.force)) {
      SourceBatch skipped = skipped_batch(job);
      plan.early_index.push_back(job.index);
      plan.early.push_back(std::move(skipped.outcome));
      continue;
    }
    if (!config.force && job.prior_state.next_fetch_at && *job.prior_state.next_fetch_at > now) {
      SourceBatch waiting = not_due_batch(job);
      plan.early_index.push_back(job.index);
      plan.early.push_back(std::move(waiting.outcome));
      continue;
    }
    plan.due.push_back(std::move(job));
  }
  plan.total = index;
  return plan;
}

}  // namespace rssflow
