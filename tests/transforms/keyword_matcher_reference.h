// The previous KeywordMatcher (RE2 only), kept to check that the dictionary-lookup engine
// finds exactly what it found. Test-only; same dictionary format and match() contract.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rssflow {

class ReferenceKeywordMatcher {
 public:
  static ReferenceKeywordMatcher from_file(const std::filesystem::path& path);
  ReferenceKeywordMatcher(ReferenceKeywordMatcher&&) noexcept;
  ~ReferenceKeywordMatcher();

  std::vector<std::string> match(std::string_view text) const;

 private:
  struct Impl;
  explicit ReferenceKeywordMatcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rssflow
