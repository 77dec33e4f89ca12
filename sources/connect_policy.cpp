#include "sources/connect_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace rssflow {
namespace {

bool in_v4(std::uint32_t address, std::uint32_t network, int prefix) {
  const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return (address & mask) == (network & mask);
}

constexpr std::uint32_t v4(int a, int b, int c, int d) {
  return (static_cast<std::uint32_t>(a) << 24) | (static_cast<std::uint32_t>(b) << 16) |
         (static_cast<std::uint32_t>(c) << 8) | static_cast<std::uint32_t>(d);
}

AddressKind classify_v4(std::uint32_t a) {
  if (a == v4(169, 254, 169, 254) || a == v4(100, 100, 100, 200)) return AddressKind::metadata;
  if (in_v4(a, v4(169, 254, 0, 0), 16)) return AddressKind::link_local;
  if (in_v4(a, v4(127, 0, 0, 0), 8)) return AddressKind::loopback;
  if (in_v4(a, v4(0, 0, 0, 0), 8)) return AddressKind::unspecified;
  if (in_v4(a, v4(10, 0, 0, 0), 8) || in_v4(a, v4(172, 16, 0, 0), 12) || in_v4(a, v4(192, 168, 0, 0), 16) ||
      in_v4(a, v4(100, 64, 0, 0), 10)) {
    return AddressKind::private_net;
  }
  if (in_v4(a, v4(224, 0, 0, 0), 4) || in_v4(a, v4(240, 0, 0, 0), 4)) return AddressKind::multicast;
  return AddressKind::public_unicast;
}

AddressKind classify_v6(const std::array<unsigned char, 16>& b) {
  const auto all_zero = [&](int from, int to) { return std::all_of(b.begin() + from, b.begin() + to, [](unsigned char x) { return x == 0; }); };
  const auto tail_v4 = [&] { return v4(b[12], b[13], b[14], b[15]); };
  if (all_zero(0, 15) && b[15] == 0) return AddressKind::unspecified;
  if (all_zero(0, 15) && b[15] == 1) return AddressKind::loopback;
  if (all_zero(0, 10) && b[10] == 0xff && b[11] == 0xff) return classify_v4(tail_v4());  // ::ffff:a.b.c.d
  if (all_zero(0, 12)) return classify_v4(tail_v4());                                    // ::a.b.c.d
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && all_zero(4, 12)) {
    return classify_v4(tail_v4());  // 64:ff9b::/96 NAT64
  }
  static constexpr std::array<unsigned char, 16> kEc2Metadata = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0,
                                                                 0,    0,    0,    0,    0, 0, 0x02, 0x54};
  if (b == kEc2Metadata) return AddressKind::metadata;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressKind::link_local;
  if ((b[0] & 0xfe) == 0xfc) return AddressKind::private_net;
  if (b[0] == 0xff) return AddressKind::multicast;
  return AddressKind::public_unicast;
}

bool internal(AddressKind kind) {
  return kind == AddressKind::loopback || kind == AddressKind::private_net || kind == AddressKind::unspecified ||
         kind == AddressKind::multicast;
}

}  // namespace

const char* to_string(AddressKind kind) {
  switch (kind) {
    case AddressKind::public_unicast: return "public";
    case AddressKind::loopback: return "loopback";
    case AddressKind::private_net: return "private";
    case AddressKind::unspecified: return "unspecified";
    case AddressKind::multicast: return "multicast or reserved";
    case AddressKind::link_local: return "link-local";
    case AddressKind::metadata: return "cloud metadata";
  }
  return "unknown";
}

AddressKind classify_address(const sockaddr* address) {
  if (address == nullptr) return AddressKind::unspecified;
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    return classify_v4(ntohl(in->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    std::array<unsigned char, 16> bytes{};
    std::memcpy(bytes.data(), in6->sin6_addr.s6_addr, bytes.size());
    return classify_v6(bytes);
  }
  return AddressKind::unspecified;
}

std::optional<AddressKind> classify_numeric_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string text(host.substr(0, host.find('%')));  // zone id
  in_addr a4{};
  if (::inet_pton(AF_INET, text.c_str(), &a4) == 1) return classify_v4(ntohl(a4.s_addr));
  in6_addr a6{};
  if (::inet_pton(AF_INET6, text.c_str(), &a6) == 1) {
    std::array<unsigned char, 16> bytes{};
    std::memcpy(bytes.data(), a6.s6_addr, bytes.size());
    return classify_v6(bytes);
  }
  return std::nullopt;
}

AddressKind configured_host_kind(const ConnectPolicy& policy, std::string_view host, int port) {
  if (host == "localhost" || host.ends_with(".localhost")) return AddressKind::loopback;
  const auto kind = classify_numeric_host(host);
  if (!kind) return AddressKind::public_unicast;
  const bool test_public = *kind == AddressKind::loopback &&
                           std::find(policy.public_loopback_ports.begin(), policy.public_loopback_ports.end(), port) !=
                               policy.public_loopback_ports.end();
  return test_public ? AddressKind::public_unicast : *kind;
}

std::optional<std::string> forbidden_reason(const ConnectPolicy& policy, AddressKind configured, AddressKind kind,
                                            int port) {
  if (kind == AddressKind::metadata || kind == AddressKind::link_local) {
    return std::string(to_string(kind)) + " addresses are never contacted";
  }
  if (!internal(kind) || policy.allow_private_networks || internal(configured)) return std::nullopt;
  if (kind == AddressKind::loopback && std::find(policy.public_loopback_ports.begin(), policy.public_loopback_ports.end(),
                                                 port) != policy.public_loopback_ports.end()) {
    return std::nullopt;
  }
  return std::string(to_string(kind)) +
         " address not allowed for a source whose host is public (--allow-private-networks allows it)";
}

void apply_test_environment(ConnectPolicy& policy) {
  const char* ports = std::getenv("RSSFLOW_TEST_PUBLIC_LOOPBACK_PORTS");
  if (ports == nullptr) return;
  std::string_view rest(ports);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string item(rest.substr(0, comma));
    if (const int port = std::atoi(item.c_str()); port > 0) policy.public_loopback_ports.push_back(port);
    rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
  }
}

}  // namespace rssflow
