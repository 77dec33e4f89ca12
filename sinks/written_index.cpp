#include "sinks/written_index.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/atomic_file.h"

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

Map load(const std::filesystem::path& path) {
  Map map;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec) return map;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read the written-records index " + path.string() + ": " + std::strerror(errno));
  }
  std::string line;
  if (!std::getline(in, line) || line != kHeader) {
    throw std::runtime_error(path.string() + " is not an rssflow written-records index (first line is not '" +
                             std::string(kHeader) + "')");
  }
  std::size_t number = 1;
  while (std::getline(in, line)) {
    ++number;
    const auto url = parse_hash(std::string_view(line).substr(0, 32));
    const auto content = line.size() == 65 && line[32] == ' ' ? parse_hash(std::string_view(line).substr(33)) : std::nullopt;
    if (!url || !content) {
      throw std::runtime_error(path.string() + ":" + std::to_string(number) + ": expected two 32-digit hex hashes");
    }
    map[*url] = *content;
  }
  if (in.bad()) throw std::runtime_error("cannot read the written-records index " + path.string());
  return map;
}

}  // namespace

WrittenIndex::WrittenIndex(std::filesystem::path path) : path_(std::move(path)), known_(load(path_)) {}

bool WrittenIndex::unchanged(const Hash128& url_hash, const Hash128& content_hash) const {
  if (const auto it = delivered_.find(url_hash); it != delivered_.end()) return it->second == content_hash;
  const auto it = known_.find(url_hash);
  return it != known_.end() && it->second == content_hash;
}

void WrittenIndex::record(const Hash128& url_hash, const Hash128& content_hash) { delivered_[url_hash] = content_hash; }

void WrittenIndex::save() {
  Map merged = load(path_);
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
  delivered_.clear();
}

}  // namespace rssflow
