// Which network addresses a fetch may connect to (SSRF protection), decided on the address a
// connection actually uses: after DNS, for every redirect hop and every reused connection.
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rssflow {

enum class AddressKind {
  public_unicast,
  loopback,     // 127/8, ::1
  private_net,  // 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT), fc00::/7 (unique local)
  unspecified,  // 0/8, ::
  multicast,    // 224/4, ff00::/8, 255.255.255.255 and the reserved 240/4
  link_local,   // 169.254/16, fe80::/10
  metadata,     // cloud metadata services: 169.254.169.254, fd00:ec2::254, 100.100.100.200
};

const char* to_string(AddressKind kind);

// Classifies an IPv4 or IPv6 socket address (IPv4-mapped, IPv4-compatible and NAT64 IPv6
// addresses as the IPv4 address they carry). Anything else is unspecified.
AddressKind classify_address(const sockaddr* address);

// The same for a numeric address ("10.0.0.1", "::1", "[::1]"); nullopt for a host name.
std::optional<AddressKind> classify_numeric_host(std::string_view host);

struct ConnectPolicy {
  bool allow_private_networks = false;  // --allow-private-networks
  // Test-only (RSSFLOW_TEST_PUBLIC_LOOPBACK_PORTS, undocumented): loopback addresses on these
  // ports count as public, so a loopback test server can play a public feed.
  std::vector<int> public_loopback_ports;
};

// How a source's configured host counts: a numeric private/loopback host (or "localhost",
// "*.localhost") is an internal source that may keep reaching internal addresses; a host
// name is public whatever it resolves to.
AddressKind configured_host_kind(const ConnectPolicy& policy, std::string_view host, int port);

// nullopt when a connection to `kind` (on `port`) is allowed for a source whose configured
// host is `configured`; otherwise why not, for the address_forbidden message. Link-local and
// metadata addresses are never allowed; loopback, private, unspecified and multicast only for
// internal sources or with allow_private_networks.
std::optional<std::string> forbidden_reason(const ConnectPolicy& policy, AddressKind configured, AddressKind kind,
                                            int port);

// Reads the test-only settings (RSSFLOW_TEST_PUBLIC_LOOPBACK_PORTS="p1,p2") into policy.
void apply_test_environment(ConnectPolicy& policy);

}  // namespace rssflow
