#include "sinks/written_index.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/atomic_file.h"
#include "core/file_version.h"

namespace rssflow {
namespace {

constexpr std::string_view kHeader = "rssflow-written-index 1";

std::optional<std::uint64_t> parse_hex64(std::string_view s) {
  if (s.size() != 16) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : s) {
    value <<= 4;
    if (c >= '0' && c <= '9') value |= static_cast<std::uint64_t>(c - '0');
    else if (c >= 'a' && c <= 'f') value |= static_cast<std::uint64_t>(c - 'a' + 10);
    else return std::nullopt;
  }
  return value;
}

std::optional<Hash128> parse_hash(std::string_view s) {
  if (s.size() != 32) return std::nullopt;
  const auto high = parse_hex64(s.substr(0, 16));
  const auto low = parse_hex64(s.substr(16));
  if (!high || !low) return std::nullopt;
  return Hash128{*high, *low};
}

using Map = std::unordered_map<Hash128, Hash128, Hash128Hasher>;

// The file opened for reading, or nullopt when it does not exist (first run).
std::optional<std::ifstream> open_index(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (in) return in;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec) return std::nullopt;
  throw std::runtime_error("cannot read the written-records index " + path.string() + ": " + std::strerror(errno));
}

// The file's bytes, or nullopt when it does not exist.
std::optional<std::string> read_index_file(const std::filesystem::path& path) {
  std::optional<std::ifstream> opened = open_index(path);
  if (!opened) return std::nullopt;
  std::ifstream& in = *opened;
  std::string bytes;
  std::error_code ec;
  if (const auto size = std::filesystem::file_size(path, ec); !ec) bytes.reserve(size);
  bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error("cannot read the written-records index " + path.string());
  return bytes;
}

void check_header(std::string_view first_line, const std::filesystem::path& path) {
  if (first_line != kHeader) {
    throw std::runtime_error(path.string() + " is not an rssflow written-records index (first line is not '" +
                             std::string(kHeader) + "')");
  }
}

Map load(const std::filesystem::path& path) {
  Map map;
  const std::optional<std::string> bytes = read_index_file(path);
  if (!bytes) return map;
  std::string_view rest = *bytes;
  const auto header_end = rest.find('\n');
  check_header(rest.substr(0, header_end), path);
  rest.remove_prefix(header_end == std::string_view::npos ? rest.size() : header_end + 1);
  map.reserve(rest.size() / 66);
  std::size_t number = 1;
  while (!rest.empty()) {
    ++number;
    const auto end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    const auto url = parse_hash(line.substr(0, 32));
    const auto content = line.size() == 65 && line[32] == ' ' ? parse_hash(line.substr(33)) : std::nullopt;
    if (!url || !content) {
      throw std::runtime_error(path.string() + ":" + std::to_string(number) + ": expected two 32-digit hex hashes");
    }
    map[*url] = *content;
  }
  return map;
}

}  // namespace

WrittenIndex::WrittenIndex(std::filesystem::path path) : path_(std::move(path)) {
  std::optional<std::ifstream> in = open_index(path_);
  if (!in) {
    loaded_ = true;  // first run: nothing delivered before
    return;
  }
  std::string first_line;
  std::getline(*in, first_line);
  check_header(first_line, path_);
}

void WrittenIndex::ensure_loaded() {
  if (loaded_) return;
  known_version_ = file_version(path_);  // before reading: a later change is then seen at save()
  known_ = load(path_);
  loaded_ = true;
}

std::size_t WrittenIndex::size() {
  ensure_loaded();
  std::size_t count = known_.size();
  for (const auto& [url, content] : delivered_) count += known_.contains(url) ? 0 : 1;
  return count;
}

bool WrittenIndex::unchanged(const Hash128& url_hash, const Hash128& content_hash) {
  if (const auto it = delivered_.find(url_hash); it != delivered_.end()) return it->second == content_hash;
  ensure_loaded();
  const auto it = known_.find(url_hash);
  return it != known_.end() && it->second == content_hash;
}

void WrittenIndex::record(const Hash128& url_hash, const Hash128& content_hash) { delivered_[url_hash] = content_hash; }

void WrittenIndex::save() {
  if (delivered_.empty()) return;  // nothing new: the file stays as it is
  // The file as it is now: what was read, unless another run has replaced it since.
  Map merged = loaded_ && file_version(path_) == known_version_ ? known_ : load(path_);
  for (const auto& [url, content] : delivered_) merged[url] = content;
  std::string text;
  text.reserve(kHeader.size() + 1 + merged.size() * 66);
  text += kHeader;
  text += '\n';
  for (const auto& [url, content] : merged) {
    text += url.hex();
    text += ' ';
    text += content.hex();
    text += '\n';
  }
  write_file_atomically(path_, text);
  known_ = std::move(merged);
  known_version_ = file_version(path_);
  loaded_ = true;
  delivered_.clear();
}

}  // namespace rssflow
