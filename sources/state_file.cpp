#include "sources/state_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/atomic_file.h"
#include "sources/state_file_json.h"

namespace rssflow {
namespace {

std::string errno_text() { return std::strerror(errno); }

}  // namespace

StateFileStore::StateFileStore(std::filesystem::path path) : path_(std::move(path)) {}

std::unordered_map<std::string, SourceState> StateFileStore::load_all() {
  const std::optional<FileVersion> version = file_version(path_);
  if (version && cached_version_ && *version == *cached_version_) return cached_;
  std::unordered_map<std::string, SourceState> states;
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path_)) return states;  // first run
    throw std::runtime_error("cannot read state file " + path_.string() + ": " + errno_text());
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    states = read_state_file_text(buffer.view());
  } catch (const std::exception& e) {
    throw std::runtime_error("state file " + path_.string() + ": " + e.what());
  }
  if (version) {
    cached_version_ = version;
    cached_ = states;
  }
  return states;
}

void StateFileStore::save_all(const std::vector<SourceState>& states) {
  std::unordered_map<std::string, SourceState> merged = load_all();
  for (const SourceState& state : states) merged.insert_or_assign(state.url, state);
  const std::string bytes = state_file_text(merged);

  try {
    write_file_atomically(path_, bytes, 0600);  // validators and failure history: the owner's only
  } catch (const std::exception& e) {
    cached_version_.reset();
    throw std::runtime_error(std::string("state file: ") + e.what());
  }
  cached_version_ = file_version(path_);
  cached_ = std::move(merged);
}

}  // namespace rssflow
