// The parser floor of scripts/bench/pipeline.sh: pugixml parsing the corpus bytes already in
// memory, nothing else (no encoding detection, no repair, no entries). Prints the best CPU
// seconds of several passes.
//
//   pugixml_floor PASSES FILE...
#include <pugixml.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: pugixml_floor PASSES FILE...\n");
    return 2;
  }
  const int passes = std::max(1, std::atoi(argv[1]));
  std::vector<std::string> documents;
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    documents.push_back(bytes.str());
  }
  double best = 1e9;
  std::size_t parsed = 0;
  for (int pass = 0; pass < passes; ++pass) {
    const double start = cpu_seconds();
    parsed = 0;
    for (const std::string& document : documents) {
      pugi::xml_document doc;
      if (doc.load_buffer(document.data(), document.size(), pugi::parse_default)) ++parsed;
    }
    best = std::min(best, cpu_seconds() - start);
  }
  std::printf("%.4f %zu\n", best, parsed);
  return 0;
}
