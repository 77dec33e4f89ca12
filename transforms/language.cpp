#include "transforms/language.h"

#include <cstdio>  // compact_lang_det.h uses FILE without including it

#include <cld2/public/compact_lang_det.h>


namespace rssflow {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// Below this many bytes of letters CLD2's guesses are coin flips (a title alone is often less).
constexpr int kMinTextBytes = 40;
constexpr int kMinPercent = 70;

}  // namespace

std::optional<std::string> normalize_language_tag(std::string_view declared) {
  while (!declared.empty() && (declared.front() == ' ' || declared.front() == '\t' || declared.front() == '\n'))
    declared.remove_prefix(1);
  while (!declared.empty() && (declared.back() == ' ' || declared.back() == '\t' || declared.back() == '\n'))
    declared.remove_suffix(1);
  if (declared.empty() || declared.size() > 35) return std::nullopt;
  std::string tag;
  std::size_t index = 0;
  std::size_t start = 0;
  while (start <= declared.size()) {
    std::size_t end = declared.find_first_of("-_", start);
    if (end == std::string_view::npos) end = declared.size();
    const std::string_view part = declared.substr(start, end - start);
    if (part.empty() || part.size() > 8) return std::nullopt;
    for (char c : part)
      if (!is_alnum(c)) return std::nullopt;
    if (index == 0) {
      if (part.size() < 2 || part.size() > 3) return std::nullopt;  // ISO 639-1/-2/-3 codes
      for (char c : part)
        if (!is_alpha(c)) return std::nullopt;
    }
    std::string piece;
    for (char c : part) piece.push_back(lower(c));
    if (index > 0 && part.size() == 2) {
      for (char& c : piece) c = upper(c);  // region
    } else if (index > 0 && part.size() == 4 && is_alpha(part[0])) {
      piece[0] = upper(piece[0]);  // script
    }
    if (index > 0) tag.push_back('-');
    tag += piece;
    ++index;
    start = end + 1;
  }
  return tag;
}

std::optional<std::string> detect_language(std::string_view text) {
  if (text.size() < static_cast<std::size_t>(kMinTextBytes)) return std::nullopt;
  if (text.size() > kLanguageSampleBytes) {
    std::size_t cut = kLanguageSampleBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
    text = text.substr(0, cut);
  }
  CLD2::Language top3[3];
  int percent3[3] = {0, 0, 0};
  int text_bytes = 0;
  bool reliable = false;
  int valid_prefix = 0;
  double scores[3] = {0, 0, 0};
  const CLD2::Language language = CLD2::ExtDetectLanguageSummaryCheckUTF8(
      text.data(), static_cast<int>(text.size()), true, nullptr, 0, top3, percent3, scores, nullptr, &text_bytes,
      &reliable, &valid_prefix);
  if (!reliable || text_bytes < kMinTextBytes || percent3[0] < kMinPercent) return std::nullopt;
  if (language == CLD2::UNKNOWN_LANGUAGE || language == CLD2::TG_UNKNOWN_LANGUAGE) return std::nullopt;
  const char* code = CLD2::LanguageCode(language);
  if (!code || !*code) return std::nullopt;
  return normalize_language_tag(code);
}

}  // namespace rssflow
