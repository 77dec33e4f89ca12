#include "sources/connect_policy.h"

#include <gtest/gtest.h>

namespace rssflow {
namespace {

TEST(ClassifyNumericHost, KnowsEveryRangeAndEveryIpv6SpellingOfIpv4) {
  const struct {
    const char* host;
    AddressKind kind;
  } cases[] = {
      {"93.184.216.34", AddressKind::public_unicast}, {"2606:2800:220:1::1", AddressKind::public_unicast},
      {"127.0.0.1", AddressKind::loopback},           {"127.5.6.7", AddressKind::loopback},
      {"[::1]", AddressKind::loopback},               {"::ffff:127.0.0.1", AddressKind::loopback},
      {"::127.0.0.1", AddressKind::loopback},         {"64:ff9b::a00:1", AddressKind::private_net},
      {"10.1.2.3", AddressKind::private_net},         {"172.16.0.1", AddressKind::private_net},
      {"172.31.255.255", AddressKind::private_net},   {"172.32.0.1", AddressKind::public_unicast},
      {"192.168.1.1", AddressKind::private_net},      {"100.64.0.1", AddressKind::private_net},
      {"fd12:3456::1", AddressKind::private_net},     {"fc00::1", AddressKind::private_net},
      {"0.0.0.0", AddressKind::unspecified},          {"::", AddressKind::unspecified},
      {"224.0.0.1", AddressKind::multicast},          {"ff02::1", AddressKind::multicast},
      {"255.255.255.255", AddressKind::multicast},    {"169.254.1.1", AddressKind::link_local},
      {"fe80::1", AddressKind::link_local},           {"[fe80::1%25eth0]", AddressKind::link_local},
      {"169.254.169.254", AddressKind::metadata},     {"::ffff:169.254.169.254", AddressKind::metadata},
      {"fd00:ec2::254", AddressKind::metadata},       {"100.100.100.200", AddressKind::metadata},
  };
  for (const auto& c : cases) {
    const auto kind = classify_numeric_host(c.host);
    ASSERT_TRUE(kind.has_value()) << c.host;
    EXPECT_EQ(to_string(*kind), std::string(to_string(c.kind))) << c.host;
  }
  EXPECT_FALSE(classify_numeric_host("example.com").has_value());
}

TEST(ForbiddenReason, PublicSourcesStayPublicInternalSourcesKeepWorking) {
  const ConnectPolicy strict;
  ConnectPolicy lenient;
  lenient.allow_private_networks = true;
  const AddressKind public_source = configured_host_kind(strict, "feeds.example.com", 443);
  EXPECT_EQ(public_source, AddressKind::public_unicast);
  for (AddressKind inside : {AddressKind::loopback, AddressKind::private_net, AddressKind::unspecified, AddressKind::multicast}) {
    EXPECT_TRUE(forbidden_reason(strict, public_source, inside, 80).has_value()) << to_string(inside);
    EXPECT_FALSE(forbidden_reason(lenient, public_source, inside, 80).has_value()) << to_string(inside);
  }
  EXPECT_FALSE(forbidden_reason(strict, public_source, AddressKind::public_unicast, 80).has_value());
  for (const char* internal_host : {"127.0.0.1", "localhost", "intranet.localhost", "10.0.0.5", "[fd00::5]"}) {
    const AddressKind configured = configured_host_kind(strict, internal_host, 80);
    EXPECT_FALSE(forbidden_reason(strict, configured, AddressKind::private_net, 80).has_value()) << internal_host;
    EXPECT_FALSE(forbidden_reason(strict, configured, AddressKind::loopback, 80).has_value()) << internal_host;
  }
  for (AddressKind never : {AddressKind::link_local, AddressKind::metadata}) {
    for (AddressKind configured : {AddressKind::public_unicast, AddressKind::loopback, AddressKind::private_net}) {
      EXPECT_TRUE(forbidden_reason(lenient, configured, never, 80).has_value()) << to_string(never);
    }
  }
}

TEST(ForbiddenReason, TestPortsMakeALoopbackServerCountAsPublic) {
  ConnectPolicy policy;
  policy.public_loopback_ports = {18081};
  const AddressKind configured = configured_host_kind(policy, "127.0.0.1", 18081);
  EXPECT_EQ(configured, AddressKind::public_unicast);
  EXPECT_FALSE(forbidden_reason(policy, configured, AddressKind::loopback, 18081).has_value());
  EXPECT_TRUE(forbidden_reason(policy, configured, AddressKind::loopback, 18082).has_value());
  EXPECT_EQ(configured_host_kind(policy, "127.0.0.1", 18082), AddressKind::loopback);
}

}  // namespace
}  // namespace rssflow
