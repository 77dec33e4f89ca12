#include "core/time.h"

#include <gtest/gtest.h>

namespace rssflow {
namespace {

TEST(FormatRfc3339, PrintsUtcWithZSuffix) {
  using namespace std::chrono;
  const sys_seconds t = sys_days{2024y / 2 / 29} + 23h + 5min + 9s;
  EXPECT_EQ(format_rfc3339(t), "2024-02-29T23:05:09Z");
  EXPECT_EQ(format_rfc3339(sys_seconds{}), "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace rssflow
