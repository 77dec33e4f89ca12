#include <atomic>
#include <csignal>
#include <cstdio>
#include <exception>

#include <curl/curl.h>

#include "pipeline/commands.h"

namespace {

std::atomic<bool> g_stop_requested{false};

extern "C" void request_stop(int) { g_stop_requested.store(true); }

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

struct Visitor {
  int operator()(const rssflow::RunCommand& c) const { return rssflow::run_command(c.config, g_stop_requested); }
  int operator()(const rssflow::ParseCommand& c) const { return rssflow::parse_command(c); }
  int operator()(const rssflow::MigrateCommand& c) const { return rssflow::migrate_command(c); }
  int operator()(const rssflow::SourcesCommand& c) const { return rssflow::sources_command(c); }
  int operator()(const rssflow::ExitNow& c) const { return c.status; }
};

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // before any thread starts
  install_signal_handlers();
  int status = 2;
  try {
    status = std::visit(Visitor{}, rssflow::parse_command_line(argc, argv));
  } catch (const std::exception& e) {
    // Startup failures that escaped a command: report them plainly, never a stack of noise.
    std::fprintf(stderr, "rssflow: fatal: %s\n", e.what());
    status = 3;
  }
  curl_global_cleanup();
  return status;
}
