// Usage errors as one line a person can act on: the unknown command named, the unknown
// option with the closest valid one suggested (pipeline/cli.cpp prints them, exit 2).
#pragma once

#include <optional>
#include <string>

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace rssflow {

// "unknown command 'frobnicate' (commands: run, parse, ...)", with "did you mean 'run'?" when
// one is close, if argv[1] is neither a subcommand of app nor an option; else nullopt.
std::optional<std::string> unknown_command_error(const CLI::App& app, int argc, char** argv);

// One line for a CLI11 parse error: an unknown option of the chosen subcommand is named, with
// the closest valid option suggested; other errors keep CLI11's text. Never several lines.
std::string describe_usage_error(const CLI::App& app, const CLI::ParseError& error, int argc, char** argv);

}  // namespace rssflow
