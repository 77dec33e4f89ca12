#include "transforms/language.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "sources/feed_parser.h"
#include "transforms/strip_html.h"

namespace rssflow {
namespace {

TEST(Language, NormalizesDeclaredTagsToBcp47) {
  EXPECT_EQ(normalize_language_tag("en-us"), "en-US");
  EXPECT_EQ(normalize_language_tag(" EN_gb "), "en-GB");
  EXPECT_EQ(normalize_language_tag("pl"), "pl");
  EXPECT_EQ(normalize_language_tag("zh-hant-tw"), "zh-Hant-TW");
  EXPECT_EQ(normalize_language_tag("de-DE-1996"), "de-DE-1996");
  EXPECT_FALSE(normalize_language_tag(""));
  EXPECT_FALSE(normalize_language_tag("unknown"));
  EXPECT_FALSE(normalize_language_tag("e"));
  EXPECT_FALSE(normalize_language_tag("12"));
  EXPECT_FALSE(normalize_language_tag("en--us"));
  EXPECT_FALSE(normalize_language_tag("English (US)"));
}

struct Labelled {
  const char* text;
  const char* language;  // "" = too little to tell: detection must say nothing
};

// Hand-labelled sample: article openings in the languages of the bundled sources, plus texts
// too short or mixed to call.
constexpr Labelled kSample[] = {
    {"Rewriting the parser in Rust cut memory use in half, and the team is happy with the result.", "en"},
    {"Dzisiaj opowiem o tym, jak napisać prosty serwer HTTP w języku C bez zewnętrznych bibliotek.", "pl"},
    {"Heute zeige ich, wie man einen kleinen HTTP-Server in C ohne externe Bibliotheken schreibt.", "de"},
    {"今日は外部ライブラリなしでC言語で小さなHTTPサーバーを書く方法を紹介します。とても簡単です。", "ja"},
    {"Aujourd'hui, nous allons voir comment écrire un petit serveur HTTP en C sans bibliothèque externe.", "fr"},
    {"Hoy vamos a ver cómo escribir un pequeño servidor HTTP en C sin bibliotecas externas de ningún tipo.", "es"},
    {"Hoje vamos ver como escrever um pequeno servidor HTTP em C sem nenhuma biblioteca externa.", "pt"},
    {"Oggi vediamo come scrivere un piccolo server HTTP in C senza alcuna libreria esterna.", "it"},
    {"Vandaag laten we zien hoe je een kleine HTTP-server in C schrijft zonder externe bibliotheken.", "nl"},
    {"Сегодня мы посмотрим, как написать небольшой HTTP-сервер на C без внешних библиотек.", "ru"},
    {"Сьогодні ми подивимося, як написати невеликий HTTP-сервер мовою C без зовнішніх бібліотек.", "uk"},
    {"Idag ska vi se hur man skriver en liten HTTP-server i C utan några externa bibliotek alls.", "sv"},
    {"Dnes si ukážeme, jak napsat malý HTTP server v jazyce C bez externích knihoven.", "cs"},
    {"오늘은 외부 라이브러리 없이 C 언어로 작은 HTTP 서버를 작성하는 방법을 알아보겠습니다.", "ko"},
    {"今天我们来看看如何在不使用外部库的情况下用C语言编写一个小型HTTP服务器。", "zh"},
    {"The board approved the budget for next year after a long debate about the new library.", "en"},
    {"Nowa wersja przeglądarki przynosi szybsze ładowanie stron i lepszą ochronę prywatności.", "pl"},
    {"Die neue Version des Browsers lädt Seiten schneller und schützt die Privatsphäre besser.", "de"},
    {"Rust 1.80", ""},
    {"OK", ""},
    {"", ""},
};

// A guess must never be wrong; "unsure" (nullopt) is allowed but rare.
TEST(Language, DetectsTheHandLabelledSample) {
  int correct = 0, unsure = 0, total = 0;
  for (const Labelled& item : kSample) {
    const auto detected = detect_language(item.text);
    ++total;
    const std::string got = detected.value_or("");
    const std::string primary = got.substr(0, got.find('-'));
    if (primary == item.language) ++correct;
    else if (!detected) ++unsure;
    else ADD_FAILURE() << item.text << ": detected '" << got << "', labelled '" << item.language << "'";
  }
  std::cout << "hand-labelled sample: " << correct << "/" << total << " correct, " << unsure << " unsure\n";
  EXPECT_GE(correct * 10, total * 9);
}

// Real feeds that declare their language label their own entries: detection on the entry
// text (ignoring the declaration) is measured against it.
TEST(Language, AgreesWithTheDeclaredLanguageOfRealFeeds) {
  int entries = 0, guessed = 0, agreed = 0;
  for (const auto& file : std::filesystem::directory_iterator(std::filesystem::path(RSSFLOW_TEST_DATA_DIR) / "realworld")) {
    std::ifstream in(file.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const auto outcome = parse_feed(bytes.str(), ParseInput{"https://example.com/feed", "https://example.com/feed", {}});
    const auto* doc = std::get_if<FeedDocument>(&outcome);
    if (!doc || !doc->language) continue;
    const auto declared = normalize_language_tag(*doc->language);
    if (!declared) continue;
    const std::string declared_primary = declared->substr(0, declared->find('-'));
    for (const FeedEntry& entry : doc->entries) {
      std::string text = entry.title.value_or("") + "\n";
      if (entry.content_html) text += strip_html(*entry.content_html);
      else if (entry.summary_html) text += strip_html(*entry.summary_html);
      ++entries;
      const auto detected = detect_language(text);
      if (!detected) continue;
      ++guessed;
      if (detected->substr(0, detected->find('-')) == declared_primary) ++agreed;
    }
  }
  const double accuracy = static_cast<double>(agreed) / guessed;
  std::cout << "entries of feeds with a declared language: " << entries << ", detected " << guessed << " ("
            << 100.0 * guessed / entries << " %), agreeing with the declaration " << agreed << " (" << 100.0 * accuracy
            << " %)\n";
  EXPECT_GE(entries, 1000);
  EXPECT_GE(accuracy, 0.9);
}

}  // namespace
}  // namespace rssflow
