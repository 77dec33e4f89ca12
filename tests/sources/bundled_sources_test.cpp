// The source lists shipped in config/: the default live list and the offline snapshot.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <pugixml.hpp>

#include "sources/opml.h"

namespace rssflow {
namespace {

namespace fs = std::filesystem;

const fs::path kConfig = fs::path(RSSFLOW_SOURCE_DIR) / "config";

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string path_of_file_url(const std::string& url) {
  std::string out;
  for (std::size_t i = std::string("file://").size(); i < url.size(); ++i) {
    if (url[i] == '%' && i + 2 < url.size()) {
      out += static_cast<char>(std::stoi(url.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += url[i];
    }
  }
  return out;
}

TEST(BundledSources, DefaultListHasAtLeast45HttpsFeedsInCategories) {
  const SourceList list = read_opml(kConfig / "sources.opml");
  EXPECT_GE(list.sources.size(), 45u);
  for (const StageError& error : list.errors) ADD_FAILURE() << error.describe();
  std::set<std::string> top_level;
  for (const Source& source : list.sources) {
    EXPECT_TRUE(source.url.starts_with("https://")) << source.url;
    EXPECT_FALSE(source.title.empty()) << source.url;
    ASSERT_FALSE(source.categories.empty()) << source.url;
    top_level.insert(source.categories.front());
  }
  EXPECT_EQ(top_level, (std::set<std::string>{"Design", "Development", "Tech news"}));
}

TEST(BundledSources, SnapshotListsAtLeast45LocalFeedsThatAreWellFormedAndHaveEntries) {
  const SourceList list = read_opml(kConfig / "snapshot" / "sources.opml");
  EXPECT_GE(list.sources.size(), 45u);
  for (const StageError& error : list.errors) ADD_FAILURE() << error.describe();
  const std::string provenance = read_text(kConfig / "snapshot" / "SOURCES.md");
  std::set<std::string> listed;
  for (const Source& source : list.sources) {
    ASSERT_TRUE(source.url.starts_with("file:///")) << source.url;
    const fs::path file = path_of_file_url(source.url);
    ASSERT_TRUE(fs::is_regular_file(file)) << file;
    EXPECT_EQ(file.parent_path().filename(), "feeds") << file;
    listed.insert(file.filename().string());

    pugi::xml_document document;
    const pugi::xml_parse_result parsed = document.load_file(file.c_str());
    ASSERT_TRUE(parsed) << file << ": " << parsed.description() << " at offset " << parsed.offset;
    const std::string root = document.document_element().name();
    const bool atom = root == "feed";
    EXPECT_TRUE(root == "rss" || root == "rdf:RDF" || atom) << file << ": <" << root << ">";
    const std::string entry = atom ? "entry" : "item";
    EXPECT_TRUE(document.select_node(("//*[local-name()='" + entry + "']").c_str())) << file << " has no entries";

    // Every snapshot file is accounted for, with a permissive licence.
    const auto row = provenance.find("`feeds/" + file.filename().string() + "`");
    ASSERT_NE(row, std::string::npos) << file.filename() << " is missing from config/snapshot/SOURCES.md";
    const std::string line = provenance.substr(row, provenance.find('\n', row) - row);
    EXPECT_THAT(line, ::testing::ContainsRegex(R"(\| (MIT|BSD-2-Clause|BSD-3-Clause|Apache-2\.0) \|)")) << line;
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(kConfig / "snapshot" / "feeds")) {
    EXPECT_TRUE(listed.count(entry.path().filename().string())) << entry.path() << " is not in sources.opml";
  }
}

}  // namespace
}  // namespace rssflow
