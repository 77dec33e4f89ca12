#include "sinks/postgres_migrations.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "core/hash.h"

namespace rssflow {

std::vector<Migration> parse_migrations(const std::vector<MigrationFile>& files) {
  std::vector<Migration> migrations;
  for (const MigrationFile& file : files) {
    const std::string& name = file.name;
    const std::size_t separator = name.find("__");
    const bool well_formed = name.size() > 4 && name.front() == 'V' && separator != std::string::npos &&
                             separator > 1 && name.ends_with(".sql") && separator + 2 < name.size() - 4;
    int version = 0;
    if (well_formed) {
      const char* first = name.data() + 1;
      const char* last = name.data() + separator;
      const auto [end, error] = std::from_chars(first, last, version);
      if (error != std::errc() || end != last || version <= 0) version = 0;
    }
    if (version == 0) {
      throw std::invalid_argument("migration file name '" + name + "' is not V<version>__<description>.sql");
    }
    std::string description = name.substr(separator + 2, name.size() - 4 - separator - 2);
    std::replace(description.begin(), description.end(), '_', ' ');
    migrations.push_back({version, std::move(description), name, file.sql, xxh3_128(file.sql).hex()});
  }
  std::sort(migrations.begin(), migrations.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version == migrations[i - 1].version) {
      throw std::invalid_argument("migrations " + migrations[i - 1].script + " and " + migrations[i].script +
                                  " have the same version");
    }
  }
  return migrations;
}

}  // namespace rssflow
