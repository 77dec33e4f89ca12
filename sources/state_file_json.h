// The text of a state file (sources/state_file.h), read and written without a JSON document in
// between. Internal to sources/.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "core/fetch_state.h"

namespace rssflow {

inline constexpr int kStateFileFormatVersion = 1;

// The file for `states`: what nlohmann's dump(2) printed for it (keys sorted, two-space
// indent), so that files written before and after are the same bytes. Text goes through
// append_json_string: valid UTF-8 whatever a server sent.
std::string state_file_text(const std::unordered_map<std::string, SourceState>& states);

// Reads any valid JSON state file, in any layout: unknown keys are ignored, fields added later
// are optional. Throws std::runtime_error naming the problem (not JSON, wrong version, a field
// of the wrong type, a bad timestamp) and the source it belongs to.
std::unordered_map<std::string, SourceState> read_state_file_text(std::string_view text);

}  // namespace rssflow
