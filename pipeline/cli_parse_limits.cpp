// The per-source parse budget flags (README "Budgets per source"), shared by `run` and `parse`.
#include "pipeline/cli_subcommands.h"

namespace rssflow::cli {

void add_parse_limit_options(CLI::App& cmd, ParseLimitFlags& f) {
  ParseLimits& l = f.limits;
  const auto count = [](std::size_t low, std::size_t high) { return CLI::Range(low, high); };
  cmd.add_option("--max-depth", l.max_depth, "nesting of elements/JSON values per feed; deeper: too_deep")->check(count(8, 1u << 24))->capture_default_str();
  cmd.add_option("--max-nodes", l.max_nodes, "XML nodes (elements, attributes, text) / JSON values per feed; XML read up to there, JSON: too_many_elements")->check(count(1000, std::size_t{1} << 32))->capture_default_str();
  cmd.add_option("--max-attributes", l.max_attributes, "attributes per element; more: too_many_attributes")->check(count(8, 1u << 24))->capture_default_str();
  cmd.add_option("--max-entries", l.max_entries, "entries per feed; later ones dropped")->check(count(1, std::size_t{1} << 32))->capture_default_str();
  cmd.add_option("--max-categories", l.max_categories, "categories per entry; later ones dropped")->check(count(0, 1u << 24))->capture_default_str();
  cmd.add_option("--max-enclosures", l.max_enclosures, "enclosures per entry; later ones dropped")->check(count(0, 1u << 24))->capture_default_str();
  cmd.add_option("--max-field-bytes", l.max_field_bytes, "bytes per text field; longer ones cut")->check(count(1024, std::size_t{1} << 32))->capture_default_str();
  cmd.add_option("--parse-deadline", f.deadline_s, "seconds of parse + clean per feed; longer: parse_timeout")->check(CLI::Range(0.01, 3600.0))->capture_default_str();
}

ParseLimits to_parse_limits(const ParseLimitFlags& f) {
  ParseLimits limits = f.limits;
  limits.deadline = std::chrono::milliseconds(static_cast<long>(f.deadline_s * 1000));
  return limits;
}

}  // namespace rssflow::cli
