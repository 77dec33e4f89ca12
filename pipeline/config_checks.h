// Checks the command line runs before any work, so that a bad setting is a usage error
// (exit 2, one line) and not a failure after the whole run.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rssflow {

// Levenshtein distance (insertions, deletions, substitutions), O(|a|*|b|) time, O(|b|) memory.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is a plausible typo (distance at most a third of
// the word, at least 2 and at most 3), else nullopt. Ties go to the first candidate.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

// "90d", "12h", "30m", "45s", "2w", or several ("1d12h"). nullopt for anything else, zero,
// or more than 100 years.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// Why rssflow could not create or replace `path` (a file it writes: lock, state, report,
// metrics, output), or nullopt when it can: the folder must exist, be a folder and be
// writable; an existing path must not be a folder and must be writable.
std::optional<std::string> unwritable_reason(const std::filesystem::path& path);

}  // namespace rssflow
