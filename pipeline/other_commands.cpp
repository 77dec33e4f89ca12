#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>

#include "core/terminal_text.h"
#include "core/types.h"
#include "pipeline/commands.h"
#include "pipeline/sink_setup.h"
#include "sources/feed_parser.h"
#include "sources/opml.h"
#include "transforms/json_record.h"
#include "transforms/url.h"

namespace rssflow {
namespace {

bool is_url(const std::string& input) { return input.find("://") != std::string::npos; }

// An input as stderr may show it: without credentials, escaped.
std::string shown_input(const std::string& input) { return escape_for_terminal(without_userinfo(input)); }

}  // namespace

int parse_command(const ParseCommand& command) {
  KeywordMatcher keywords = [&] {
    try {
      return KeywordMatcher::from_file(command.keywords_file);
    } catch (const std::exception& e) {
      std::cerr << "rssflow parse: " << e.what() << "\n";
      std::exit(2);
    }
  }();
  // Inputs are fetched concurrently but printed in the order given, entries in document order.
  // At most kWindow inputs are fetched ahead of the one being printed, and each body is freed
  // once printed: memory stays flat over any number of big files.
  constexpr std::size_t kWindow = 4;
  const std::size_t n = command.inputs.size();
  std::vector<std::optional<FetchResult>> results(n);
  std::mutex mutex;
  std::condition_variable arrived;
  HttpFetcher fetcher(command.fetch);
  std::size_t submitted = 0;
  const auto submit_until = [&](std::size_t limit) {
    for (; submitted < std::min(n, limit); ++submitted) {
      const std::string& input = command.inputs[submitted];
      Source source{is_url(input) ? without_userinfo(input) : file_url_for_path(input), "", {}, 0, {}};
      if (is_url(input)) {
        if (const auto location = locate_url(input)) source.userinfo = location->userinfo;
      }
      fetcher.submit(FetchRequest{std::move(source), {}}, [&, i = submitted](FetchResult result) {
        std::lock_guard lock(mutex);
        results[i] = std::move(result);
        arrived.notify_one();
      });
    }
  };
  submit_until(kWindow);
  int status = 0;
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    FetchResult result;
    {
      std::unique_lock lock(mutex);
      arrived.wait(lock, [&] { return results[i].has_value(); });
      result = std::move(*results[i]);
      results[i].reset();
    }
    submit_until(i + 1 + kWindow);
    if (auto* error = std::get_if<StageError>(&result.outcome)) {
      std::cerr << "rssflow parse: " << shown_input(command.inputs[i]) << ": " << escape_for_terminal(error->describe()) << "\n";
      status = 1;
      continue;
    }
    FetchedFeed& feed = std::get<FetchedFeed>(result.outcome);
    Deadline deadline(command.parse.deadline);
    Outcome<FeedDocument> parsed =
        parse_feed(feed.body, ParseInput{feed.source.url, feed.final_url, feed.content_type}, command.parse, &deadline);
    std::string().swap(feed.body);
    if (auto* error = std::get_if<StageError>(&parsed)) {
      std::cerr << "rssflow parse: " << shown_input(command.inputs[i]) << ": " << escape_for_terminal(error->describe()) << "\n";
      status = 1;
      continue;
    }
    const FeedDocument& doc = std::get<FeedDocument>(parsed);
    for (const std::string& repair : doc.repairs) {
      std::cerr << "rssflow parse: " << shown_input(command.inputs[i]) << ": repaired: " << escape_for_terminal(repair) << "\n";
    }
    out.clear();
    for (const Article& article : build_articles(doc, keywords, feed.fetched_at, command.article, &deadline)) {
      append_json_line(out, article);
    }
    if (deadline.expired_now()) {
      std::cerr << "rssflow parse: " << shown_input(command.inputs[i]) << ": parse_timeout: parse and clean ran past the deadline\n";
      status = 1;
      continue;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  std::fflush(stdout);
  return status;
}

int migrate_command(const MigrateCommand& command) {
  MigrateResult result;
  try {
    result = migrate_schema(command.postgres, command.repair);
  } catch (const std::exception& e) {
    std::cerr << "rssflow migrate: " << e.what() << "\n";
    return 3;
  }
  const std::string& schema = command.postgres.schema;
  if (result.applied.empty()) {
    std::cerr << "rssflow migrate: schema " << schema << " is up to date (version " << result.current_version << ")\n";
    return 0;
  }
  std::map<int, std::string> descriptions;
  for (const Migration& m : parse_migrations(embedded_migrations())) descriptions[m.version] = m.description;
  for (const int version : result.applied) {
    std::cerr << "rssflow migrate: applied V" << version << " (" << descriptions[version] << ") to schema " << schema << "\n";
  }
  std::cerr << "rssflow migrate: schema " << schema << " is now at version " << result.current_version << "\n";
  return 0;
}

int sources_command(const SourcesCommand& command) {
  SourceList list;
  try {
    list = read_opml(command.sources_file);
  } catch (const std::exception& e) {
    std::cerr << "rssflow sources: " << e.what() << "\n";
    return 2;
  }
  std::size_t listed = 0;
  for (const Source& source : list.sources) {
    if (command.shard && !in_shard(source, *command.shard)) continue;
    ++listed;
    std::string categories;
    for (const std::string& c : source.categories) categories += (categories.empty() ? "" : "/") + c;
    std::printf("%s\t%s\t%s\n", source.url.c_str(), source.title.c_str(), categories.c_str());
  }
  for (const StageError& error : list.errors) std::cerr << "rssflow sources: " << escape_for_terminal(error.describe()) << "\n";
  std::fprintf(stderr, "rssflow sources: %zu listed, %zu invalid (%s)\n", listed, list.errors.size(),
               command.sources_file.c_str());
  return list.errors.empty() ? 0 : 1;
}

}  // namespace rssflow
