// Client addresses behind reverse proxies: X-Forwarded-For is believed only from trusted
// proxies, and only as far as trusted proxies wrote it.
#include "net/client_address.hpp"

#include <catch2/catch.hpp>

#include "util/ip_network.hpp"

using namespace sealpost;
using boost::asio::ip::make_address;

namespace {

net::http::fields forwarded(std::initializer_list<std::string_view> lines) {
  net::http::fields header;
  for (auto line : lines)
    header.insert("X-Forwarded-For", line);
  return header;
}

std::string client(std::string_view peer, const net::http::fields& header,
                   std::string_view trusted) {
  const auto proxies = util::parse_network_list(trusted);
  return net::client_address(make_address(std::string(peer)), header, proxies).to_string();
}

}  // namespace

TEST_CASE("networks parse in CIDR form and match their members", "[client_address]") {
  auto net8 = util::parse_network("10.1.2.3/8");
  REQUIRE(net8);
  CHECK(net8->base.to_string() == "10.0.0.0");
  CHECK(net8->contains(make_address("10.255.0.1")));
  CHECK_FALSE(net8->contains(make_address("11.0.0.1")));
  CHECK(net8->contains(make_address("::ffff:10.9.9.9")));  // IPv4-mapped
  auto v6 = util::parse_network("fd00::/8");
  REQUIRE(v6);
  CHECK(v6->contains(make_address("fd12::1")));
  CHECK_FALSE(v6->contains(make_address("fe80::1")));
  CHECK_FALSE(v6->contains(make_address("10.0.0.1")));
  auto host = util::parse_network("192.168.0.7");
  REQUIRE(host);
  CHECK(host->prefix_length == 32);
  CHECK_FALSE(host->contains(make_address("192.168.0.8")));
  CHECK(util::parse_network("0.0.0.0/0")->contains(make_address("8.8.8.8")));

  CHECK_FALSE(util::parse_network("10.0.0.0/33"));
  CHECK_FALSE(util::parse_network("10.0.0.0/"));
  CHECK_FALSE(util::parse_network("10.0.0.0/8x"));
  CHECK_FALSE(util::parse_network("::/129"));
  CHECK_FALSE(util::parse_network("localhost"));
  CHECK_THROWS_AS(util::parse_network_list("10.0.0.1,,10.0.0.2"), std::invalid_argument);
  CHECK(util::parse_network_list("  ").empty());
}

TEST_CASE("X-Forwarded-For entries parse with ports and brackets", "[client_address]") {
  CHECK(util::parse_forwarded_address(" 203.0.113.9 ")->to_string() == "203.0.113.9");
  CHECK(util::parse_forwarded_address("203.0.113.9:4711")->to_string() == "203.0.113.9");
  CHECK(util::parse_forwarded_address("2001:db8::7")->to_string() == "2001:db8::7");
  CHECK(util::parse_forwarded_address("[2001:db8::7]")->to_string() == "2001:db8::7");
  CHECK(util::parse_forwarded_address("[2001:db8::7]:443")->to_string() == "2001:db8::7");
  CHECK_FALSE(util::parse_forwarded_address("unknown"));
  CHECK_FALSE(util::parse_forwarded_address("_hidden"));
  CHECK_FALSE(util::parse_forwarded_address("203.0.113.9:port"));
  CHECK_FALSE(util::parse_forwarded_address("[203.0.113.9]"));
  CHECK_FALSE(util::parse_forwarded_address("[2001:db8::7]x"));
  CHECK_FALSE(util::parse_forwarded_address(""));
}

TEST_CASE("an untrusted peer's X-Forwarded-For is ignored", "[client_address]") {
  const auto spoofed = forwarded({"198.51.100.1"});
  CHECK(client("203.0.113.5", spoofed, "") == "203.0.113.5");
  CHECK(client("203.0.113.5", spoofed, "127.0.0.1, 10.0.0.0/8") == "203.0.113.5");
}

TEST_CASE("behind trusted proxies the client is the right-most untrusted hop", "[client_address]") {
  // The client wrote a fake entry; the proxy appended the address it really saw.
  CHECK(client("127.0.0.1", forwarded({"1.1.1.1, 198.51.100.7"}), "127.0.0.1") == "198.51.100.7");
  // Two proxies in a row: the outer one (10.0.0.3) is trusted too and skipped.
  CHECK(client("127.0.0.1", forwarded({"1.1.1.1, 198.51.100.7, 10.0.0.3"}),
               "127.0.0.1, 10.0.0.0/8") == "198.51.100.7");
  // Several header lines count as one list, in order.
  CHECK(client("127.0.0.1", forwarded({"1.1.1.1", "198.51.100.7"}), "127.0.0.1") == "198.51.100.7");
  // No header: the proxy itself is all there is.
  CHECK(client("127.0.0.1", forwarded({}), "127.0.0.1") == "127.0.0.1");
  // Garbage where a trusted proxy should have written an address: stop at the last hop
  // that was trusted to write it.
  CHECK(client("127.0.0.1", forwarded({"198.51.100.7, garbage"}), "127.0.0.1") == "127.0.0.1");
  CHECK(client("127.0.0.1", forwarded({"garbage, 10.0.0.3"}), "127.0.0.1, 10.0.0.0/8") ==
        "10.0.0.3");
  // IPv4-mapped peers and entries count as IPv4.
  CHECK(client("::ffff:127.0.0.1", forwarded({"[2001:db8::9]:1234"}), "127.0.0.1") ==
        "2001:db8::9");
}

TEST_CASE("per-IP limits count IPv6 clients per /64", "[client_address]") {
  CHECK(net::limit_key(make_address("2001:db8:1:2:aaaa::1")).to_string() == "2001:db8:1:2::");
  CHECK(net::limit_key(make_address("::ffff:198.51.100.7")).to_string() == "198.51.100.7");
  CHECK(net::limit_key(make_address("198.51.100.7")).to_string() == "198.51.100.7");
}
