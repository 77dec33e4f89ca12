#include "pipeline/cli_errors.h"

#include <CLI/CLI.hpp>

#include "pipeline/config_checks.h"

namespace rssflow {
namespace {

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
  return names;
}

const CLI::App* chosen_subcommand(const CLI::App& app, int argc, char** argv) {
  if (argc < 2) return nullptr;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() == argv[1]) return sub;
  }
  return nullptr;
}

std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
    for (const std::string& name : option->get_snames()) names.push_back("-" + name);
  }
  return names;
}

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace

std::optional<std::string> unknown_command_error(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-' || argv[1][0] == '\0') return std::nullopt;
  const std::vector<std::string> names = subcommand_names(app);
  const std::string word = argv[1];
  for (const std::string& name : names) {
    if (name == word) return std::nullopt;
  }
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
  std::string message = "unknown command '" + word + "'";
  if (const auto close = closest_match(word, names)) message += ": did you mean '" + *close + "'?";
  return message + " (commands: " + list + ")";
}

std::string describe_usage_error(const CLI::App& app, const CLI::ParseError& error, int argc, char** argv) {
  const CLI::App* sub = chosen_subcommand(app, argc, argv);
  const std::string context = sub ? "rssflow " + sub->get_name() : "rssflow";
  const std::string help = " (" + context + " --help lists the options)";
  if (sub) {
    std::vector<std::string> valid = option_names(*sub);
    for (const std::string& name : option_names(app)) valid.push_back(name);  // --help, --version
    for (int i = 2; i < argc; ++i) {
      const std::string token = argv[i];
      if (token == "--") break;
      if (token.size() < 2 || token[0] != '-' || (token[1] >= '0' && token[1] <= '9')) continue;
      const std::string name = token.substr(0, token.find('='));
      if (std::find(valid.begin(), valid.end(), name) != valid.end()) continue;
      // A bundle of short flags (-qv) is CLI11's to judge.
      if (name[1] != '-' && name.size() > 2) continue;
      std::string message = context + ": unknown option " + name;
      if (const auto close = closest_match(name, valid)) return message + ": did you mean " + *close + "?";
      return message + help;
    }
  }
  return context + ": " + one_line(error.what()) + help;
}

}  // namespace rssflow
