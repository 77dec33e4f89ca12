// Where the bundled files (sources.opml, keywords.tsv, snapshot/) are found at run time.
// An installed binary finds them relative to itself (<prefix>/bin -> <prefix>/share/rssflow), so
// a package or `cmake --install --prefix X` works wherever it lands and never points into the
// clone it was built from; only a binary inside the build tree uses the source tree's config/.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "pipeline/run_config.h"

namespace rssflow {
namespace {

namespace fs = std::filesystem;

bool is_inside(const fs::path& path, const fs::path& folder) {
  return std::mismatch(folder.begin(), folder.end(), path.begin(), path.end()).first == folder.end();
}

}  // namespace

fs::path bundled_config_dir() {
  if (const char* env = std::getenv("RSSFLOW_CONFIG_DIR"); env && *env) return env;
  std::error_code error;
  const fs::path executable = fs::read_symlink("/proc/self/exe", error);
  if (error) return RSSFLOW_INSTALL_DATA_DIR;  // no /proc: the prefix chosen at configure time
  const fs::path build_dir = fs::weakly_canonical(RSSFLOW_BUILD_DIR, error);
  if (!error && is_inside(executable, build_dir)) return RSSFLOW_SOURCE_CONFIG_DIR;
  return (executable.parent_path() / RSSFLOW_BIN_TO_DATA_DIR).lexically_normal();
}

}  // namespace rssflow
