#include <malloc.h>

#include <cstdio>
#include <exception>

#include <curl/curl.h>

#include "core/heap_pages.h"
#include "pipeline/commands.h"
#include "pipeline/signals.h"

namespace {

struct Visitor {
  int operator()(const rssflow::RunCommand& c) const { return rssflow::run_command(c.config, rssflow::signals::stop_requested()); }
  int operator()(const rssflow::ParseCommand& c) const { return rssflow::parse_command(c); }
  int operator()(const rssflow::MigrateCommand& c) const { return rssflow::migrate_command(c); }
  int operator()(const rssflow::SourcesCommand& c) const { return rssflow::sources_command(c); }
  int operator()(const rssflow::FeedsCommand& c) const { return rssflow::feeds_command(c); }
  int operator()(const rssflow::PruneCommand& c) const { return rssflow::prune_command(c); }
  int operator()(const rssflow::ExitNow& c) const { return c.status; }
};

// Keeps freed memory for the next source instead of giving it back to the kernel at once. With
// glibc's defaults every feed body over 128 KiB is a fresh mmap and a heap top over 128 KiB is
// trimmed, so each source faults its pages in again. On the virtual machines measured a page
// fault costs tens of microseconds: keeping freed memory cut the CPU of a run whose feeds were
// all unchanged by about a fifth and of the corpus run by about a tenth (scripts/bench/
// schedule.sh and pipeline.sh, README "Benchmarks"). The limiter bounds what is in flight, so
// what is kept is bounded by the same peak.
void keep_freed_memory() {
  mallopt(M_MMAP_THRESHOLD, 8 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 8 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();
  rssflow::advise_huge_pages_for_main_heap(6 << 20);
  curl_global_init(CURL_GLOBAL_DEFAULT);  // before any thread starts
  int status = 2;
  try {
    rssflow::signals::install_stop_handlers();
    status = std::visit(Visitor{}, rssflow::parse_command_line(argc, argv));
  } catch (const std::exception& e) {
    // Startup failures that escaped a command: report them plainly, never a stack of noise.
    std::fprintf(stderr, "rssflow: fatal: %s\n", e.what());
    status = 3;
  }
  curl_global_cleanup();
  return status;
}
