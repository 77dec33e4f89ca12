// Turns a finished run into Prometheus metrics: the textfile-collector file and/or a
// Pushgateway push. Failures are logged, never fatal: metrics must not fail a run.
#pragma once

#include <vector>

#include "pipeline/log.h"
#include "pipeline/run_config.h"
#include "pipeline/run_summary.h"
#include "pipeline/stage_clock.h"

namespace rssflow {

void publish_run_metrics(const RunConfig& config, const RunTotals& totals,
                         const std::vector<SourceOutcome>& outcomes, const StageClock& clock, EventLog& log);

}  // namespace rssflow
