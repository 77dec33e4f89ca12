// Finds dictionary keywords (with aliases) in plain text. Loaded (and every pattern's syntax
// checked) once; its alias table and RE2 programs are built on the first match(). match() is
// const and thread-safe. The dictionary format (aliases, case=sensitive, match=/not= guard
// patterns) is described in transforms/keyword_matcher_dictionary.h and at the top of
// config/keywords.tsv.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash.h"
#include "core/types.h"

namespace rssflow {

class KeywordMatcher {
 public:
  // Loads the dictionary file (config/keywords.tsv) and checks it. Throws std::runtime_error
  // naming the file, line and offending pattern when the file is unreadable or invalid.
  static KeywordMatcher from_file(const std::filesystem::path& path);

  KeywordMatcher(KeywordMatcher&&) noexcept;
  KeywordMatcher& operator=(KeywordMatcher&&) noexcept;
  ~KeywordMatcher();

  // Slugs of the keywords found in text ("rust", "cpp"), each once, in dictionary order.
  // The first call builds the alias table and compiles the RE2 programs; it throws
  // std::runtime_error naming the file when a pattern's program exceeds RE2's memory budget
  // (syntax errors are caught by from_file).
  std::vector<std::string> match(std::string_view text) const;

  // Builds now what the first match() would (thread-safe; a failure is left for match() to
  // report): a run calls it on a spare worker when the first body arrives, so that the
  // threads matching keywords do not wait for the build.
  void prepare() const noexcept;

  // Every keyword of the dictionary (slug, display name, group), in dictionary order.
  const std::vector<KeywordDescription>& keywords() const;

  std::size_t size() const;  // number of canonical keywords

  // XXH3-128 of the dictionary file's bytes: records built with another dictionary differ.
  const Hash128& dictionary_hash() const;

 private:
  struct Impl;
  explicit KeywordMatcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rssflow
