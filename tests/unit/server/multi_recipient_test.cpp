// The multi-recipient body parser (DESIGN.md, "Multi-recipient send"): bodies written byte by
// byte, every rule of the layout, the limits, and the content each device gets.
#include "sealed_sender/multi_recipient.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace sealpost::sealed_sender;
using bytes = std::vector<std::uint8_t>;
using uuid = std::array<std::uint8_t, 16>;

constexpr std::uint8_t v22 = 0x22;
constexpr std::uint8_t v23 = 0x23;
constexpr std::size_t roomy = 1 << 20;  // a limit no body here reaches

// 00112233-4455-6677-8899-aabbccddeeff with the first byte replaced by `tag`.
uuid uuid_of(std::uint8_t tag) {
  uuid u{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
         0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
  u[0] = tag;
  return u;
}

std::string text_of(std::uint8_t tag) {
  constexpr char digits[] = "0123456789abcdef";
  return std::string{digits[tag >> 4], digits[tag & 0x0F]} + "112233-4455-6677-8899-aabbccddeeff";
}

// C || AT: 48 bytes counting up from `fill`.
std::array<std::uint8_t, 48> key_of(std::uint8_t fill) {
  std::array<std::uint8_t, 48> k{};
  for (std::size_t i = 0; i < k.size(); ++i) {
    k[i] = static_cast<std::uint8_t>(fill + i);
  }
  return k;
}

struct device {
  std::uint8_t id;
  std::uint16_t word_bits;  // registration id and any bit 14; bit 15 is set by the builder
};

// Writes a body byte by byte: the helpers below write the fields of DESIGN.md's layout, and
// raw() anything else.
class body_builder {
 public:
  explicit body_builder(std::uint8_t version) : version_(version) { out_.push_back(version); }

  body_builder& raw(std::initializer_list<std::uint8_t> b) {
    out_.insert(out_.end(), b);
    return *this;
  }

  body_builder& varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<std::uint8_t>(v));
    return *this;
  }

  // The recipient field: the kind byte (0x23 only) and the UUID.
  body_builder& recipient(const uuid& u, std::uint8_t kind = 0x00) {
    if (version_ == v23) {
      out_.push_back(kind);
    }
    out_.insert(out_.end(), u.begin(), u.end());
    return *this;
  }

  body_builder& device_record(std::uint8_t id, std::uint16_t word) {
    out_.push_back(id);
    out_.push_back(static_cast<std::uint8_t>(word >> 8));
    out_.push_back(static_cast<std::uint8_t>(word));
    return *this;
  }

  body_builder& key_material(std::uint8_t fill) {
    const auto k = key_of(fill);
    out_.insert(out_.end(), k.begin(), k.end());
    return *this;
  }

  // An included entry: recipient, device records with bit 15 on all but the last, key.
  body_builder& entry(const uuid& u, std::initializer_list<device> devices, std::uint8_t key) {
    recipient(u);
    std::size_t i = 0;
    for (const device& d : devices) {
      const bool more = ++i < devices.size();
      device_record(d.id, static_cast<std::uint16_t>(d.word_bits | (more ? 0x8000 : 0)));
    }
    return key_material(key);
  }

  body_builder& excluded(const uuid& u) {
    recipient(u);
    out_.push_back(0x00);
    return *this;
  }

  // n bytes counting up from `fill`: E.pub and the ciphertext.
  body_builder& shared(std::size_t n, std::uint8_t fill = 0xA0) {
    for (std::size_t i = 0; i < n; ++i) {
      out_.push_back(static_cast<std::uint8_t>(fill + i));
    }
    return *this;
  }

  const bytes& body() const { return out_; }

 private:
  std::uint8_t version_;
  bytes out_;
};

auto parse(const bytes& body, std::size_t max_recipients = 64, std::size_t max_bytes = roomy) {
  return parse_multi_recipient(body, max_recipients, max_bytes);
}

// The refusal's code; fails the test if the body was accepted.
multi_recipient_errc error_of(const bytes& body, std::size_t max_recipients = 64,
                              std::size_t max_bytes = roomy) {
  auto parsed = parse(body, max_recipients, max_bytes);
  REQUIRE_FALSE(parsed);
  return parsed.error().code;
}

std::string message_of(const bytes& body) {
  auto parsed = parse(body);
  REQUIRE_FALSE(parsed);
  return parsed.error().message;
}

bool same(const recipient_device& d, std::uint8_t id, std::uint16_t registration_id) {
  return d.device_id == id && d.registration_id == registration_id;
}

bytes from_hex(std::string_view hex) {
  bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

}  // namespace

TEST_CASE("multi-recipient: one account with one device, both versions", "[sealed_sender]") {
  const std::uint8_t version = GENERATE(v22, v23);
  const bytes body =
      body_builder(version).varint(1).entry(uuid_of(0x00), {{1, 42}}, 7).shared(40).body();
  auto parsed = parse(body);
  REQUIRE(parsed);
  CHECK(parsed->version == version);
  REQUIRE(parsed->accounts.size() == 1);
  const auto& account = parsed->accounts[0];
  CHECK(account.account_id == "00112233-4455-6677-8899-aabbccddeeff");
  REQUIRE(account.devices.size() == 1);
  CHECK(same(account.devices[0], 1, 42));
  CHECK(account.key_material == key_of(7));
  // shared is the tail of the body itself, not a copy.
  CHECK(parsed->shared.size() == 40);
  CHECK(parsed->shared.data() == body.data() + body.size() - 40);
}

TEST_CASE("multi-recipient: several accounts and devices, in listed order", "[sealed_sender]") {
  const std::uint8_t version = GENERATE(v22, v23);
  const bytes body = body_builder(version)
                         .varint(3)
                         .entry(uuid_of(0xC0), {{3, 0x3FFF}, {1, 0}, {127, 1}}, 0x10)
                         .entry(uuid_of(0x0A), {{1, 0x4000 | 5}}, 0x20)  // bit 14: ignored
                         .entry(uuid_of(0xFF), {{2, 0x7FFF}, {9, 0x4000}}, 0x30)
                         .shared(32)
                         .body();
  auto parsed = parse(body);
  REQUIRE(parsed);
  REQUIRE(parsed->accounts.size() == 3);
  const auto& a = parsed->accounts;
  CHECK(a[0].account_id == text_of(0xC0));
  CHECK(a[1].account_id == text_of(0x0A));
  CHECK(a[2].account_id == text_of(0xFF));
  REQUIRE(a[0].devices.size() == 3);
  CHECK(same(a[0].devices[0], 3, 0x3FFF));
  CHECK(same(a[0].devices[1], 1, 0));
  CHECK(same(a[0].devices[2], 127, 1));
  REQUIRE(a[1].devices.size() == 1);
  CHECK(same(a[1].devices[0], 1, 5));
  REQUIRE(a[2].devices.size() == 2);
  CHECK(same(a[2].devices[0], 2, 0x3FFF));
  CHECK(same(a[2].devices[1], 9, 0));
  CHECK(a[0].key_material == key_of(0x10));
  CHECK(a[1].key_material == key_of(0x20));
  CHECK(a[2].key_material == key_of(0x30));
  CHECK(parsed->shared.size() == 32);
}

TEST_CASE("multi-recipient: an account in two entries gets all devices and the first key",
          "[sealed_sender]") {
  const std::uint8_t version = GENERATE(v22, v23);
  const bytes body = body_builder(version)
                         .varint(3)
                         .entry(uuid_of(1), {{4, 40}}, 0x10)
                         .entry(uuid_of(2), {{1, 10}}, 0x20)
                         .entry(uuid_of(1), {{2, 20}, {1, 11}}, 0x30)
                         .shared(32)
                         .body();
  auto parsed = parse(body);
  REQUIRE(parsed);
  REQUIRE(parsed->accounts.size() == 2);
  const auto& first = parsed->accounts[0];
  CHECK(first.account_id == text_of(1));
  REQUIRE(first.devices.size() == 3);
  CHECK(same(first.devices[0], 4, 40));
  CHECK(same(first.devices[1], 2, 20));
  CHECK(same(first.devices[2], 1, 11));
  CHECK(first.key_material == key_of(0x10));
  CHECK(parsed->accounts[1].account_id == text_of(2));
  CHECK(parsed->accounts[1].key_material == key_of(0x20));
}

TEST_CASE("multi-recipient: excluded recipients are accepted and left out", "[sealed_sender]") {
  const std::uint8_t version = GENERATE(v22, v23);
  // Any UUID may be excluded (all zeros and all ones are no one's account).
  uuid zeros{};
  uuid ones{};
  ones.fill(0xFF);
  const bytes body = body_builder(version)
                         .varint(4)
                         .excluded(zeros)
                         .entry(uuid_of(1), {{1, 1}}, 0x10)
                         .excluded(ones)
                         .excluded(uuid_of(2))
                         .shared(32)
                         .body();
  auto parsed = parse(body);
  REQUIRE(parsed);
  REQUIRE(parsed->accounts.size() == 1);
  CHECK(parsed->accounts[0].account_id == text_of(1));
  // The excluded entries carry no key material: shared starts right after the last 0x00.
  CHECK(parsed->shared.size() == 32);
  CHECK(parsed->shared[0] == 0xA0);
}

TEST_CASE("multi-recipient: a body written out in hex, as libsignal lays it out",
          "[sealed_sender]") {
  // Independent of body_builder: big-endian words, bit 15 flagging another device, 0x00 for
  // an excluded recipient.
  const std::string a = "5f1c2d3e4a5b4c6d8e7f9a0b1c2d3e4f";
  const std::string b = "0b5e7a9c1d2f4e6a8b3c5d7e9f1a2b3c";
  const std::string e = "6f1c2d3e4a5b4c6d8e7f9a0b1c2d3e4f";
  const std::string key_a(96, 'a');
  const std::string key_b(96, 'b');
  const std::string shared(68, '9');              // 34 bytes
  std::string hex = "2304";                       // version 0x23, count 4
  hex += "00" + a + "0191aa" + "0333aa" + key_a;  // a: devices 1 (bit 15: more) and 3
  hex += "00" + e + "00";                         // e: excluded
  hex += "00" + b + "0111bb" + key_b;             // b: device 1
  hex += "00" + e.substr(0, 30) + "ff" + "00";    // another one excluded
  hex += shared;
  const bytes body = from_hex(hex);
  auto parsed = parse(body);
  REQUIRE(parsed);
  REQUIRE(parsed->accounts.size() == 2);
  CHECK(parsed->accounts[0].account_id == "5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f");
  REQUIRE(parsed->accounts[0].devices.size() == 2);
  CHECK(same(parsed->accounts[0].devices[0], 1, 0x11AA));
  CHECK(same(parsed->accounts[0].devices[1], 3, 0x33AA));
  CHECK(parsed->accounts[1].account_id == "0b5e7a9c-1d2f-4e6a-8b3c-5d7e9f1a2b3c");
  REQUIRE(parsed->accounts[1].devices.size() == 1);
  CHECK(same(parsed->accounts[1].devices[0], 1, 0x11BB));
  const auto& key = parsed->accounts[1].key_material;
  CHECK(bytes(key.begin(), key.end()) == from_hex(key_b));
  CHECK(device_content(parsed->accounts[0], parsed->shared) ==
        std::string("\x22") + std::string(48, '\xAA') + std::string(34, '\x99'));
}

TEST_CASE("multi-recipient: every truncation of a valid body is refused", "[sealed_sender]") {
  const std::uint8_t version = GENERATE(v22, v23);
  // shared is exactly 32 bytes, so that no prefix is valid.
  const bytes body = body_builder(version)
                         .varint(4)
                         .entry(uuid_of(1), {{1, 0x3FFF}, {2, 2}}, 0x10)
                         .excluded(uuid_of(3))
                         .entry(uuid_of(2), {{5, 5}}, 0x20)
                         .entry(uuid_of(1), {{3, 3}}, 0x30)
                         .shared(32)
                         .body();
  REQUIRE(parse(body));
  for (std::size_t n = 0; n < body.size(); ++n) {
    const bytes prefix(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(n));
    INFO("prefix of " << n << " of " << body.size() << " bytes");
    CHECK(error_of(prefix) == multi_recipient_errc::invalid);
  }
}

TEST_CASE("multi-recipient: a device listed twice for one account is refused", "[sealed_sender]") {
  const std::uint8_t version = GENERATE(v22, v23);
  SECTION("in one entry") {
    const bytes body = body_builder(version)
                           .varint(1)
                           .entry(uuid_of(1), {{5, 1}, {6, 2}, {5, 3}}, 0)
                           .shared(32)
                           .body();
    CHECK(error_of(body) == multi_recipient_errc::invalid);
    CHECK(message_of(body) == "entry 1: device 5 listed twice");
  }
  SECTION("over two entries") {
    const bytes body = body_builder(version)
                           .varint(3)
                           .entry(uuid_of(1), {{5, 1}}, 0)
                           .entry(uuid_of(2), {{6, 1}}, 0)
                           .entry(uuid_of(1), {{6, 1}, {5, 2}}, 0)
                           .shared(32)
                           .body();
    CHECK(error_of(body) == multi_recipient_errc::invalid);
    CHECK(message_of(body) == "entry 3: device 5 listed twice");
  }
  SECTION("the same device id in different accounts is fine") {
    const bytes body = body_builder(version)
                           .varint(2)
                           .entry(uuid_of(1), {{5, 1}}, 0)
                           .entry(uuid_of(2), {{5, 1}}, 0)
                           .shared(32)
                           .body();
    CHECK(parse(body));
  }
}

TEST_CASE("multi-recipient: device ids outside 1..127 are refused", "[sealed_sender]") {
  const std::uint8_t version = GENERATE(v22, v23);
  SECTION("0 after a device record") {
    body_builder b(version);
    b.varint(1).recipient(uuid_of(1)).device_record(1, 0x8000 | 7).device_record(0, 7);
    b.key_material(0).shared(32);
    CHECK(error_of(b.body()) == multi_recipient_errc::invalid);
    CHECK(message_of(b.body()) == "entry 1: device id 0 after a device record");
  }
  SECTION("128 and 255, first or later") {
    const std::uint8_t id = GENERATE(std::uint8_t{128}, std::uint8_t{255});
    body_builder first(version);
    first.varint(1).entry(uuid_of(1), {{id, 1}}, 0).shared(32);
    CHECK(error_of(first.body()) == multi_recipient_errc::invalid);
    body_builder later(version);
    later.varint(1).entry(uuid_of(1), {{1, 1}, {id, 1}}, 0).shared(32);
    CHECK(error_of(later.body()) == multi_recipient_errc::invalid);
    CHECK(message_of(later.body()) == "entry 1: device id " + std::to_string(id) + " over 127");
  }
  SECTION("127 is the largest") {
    CHECK(
        parse(body_builder(version).varint(1).entry(uuid_of(1), {{127, 1}}, 0).shared(32).body()));
  }
}

TEST_CASE("multi-recipient: in 0x23 only the ACI kind 0x00 is a recipient", "[sealed_sender]") {
  const std::uint8_t kind = GENERATE(std::uint8_t{0x01}, std::uint8_t{0x02}, std::uint8_t{0xFF});
  body_builder included(v23);
  included.varint(1).recipient(uuid_of(1), kind).device_record(1, 1).key_material(0).shared(32);
  CHECK(error_of(included.body()) == multi_recipient_errc::invalid);
  CHECK(message_of(included.body()) == "entry 1: recipient kind 0x" +
                                           std::string(kind == 0xFF ? "ff"
                                                       : kind == 1  ? "01"
                                                                    : "02") +
                                           " is not an ACI (0x00)");
  // The kind rule holds for excluded recipients too: DESIGN.md's recipient field has one rule.
  body_builder excluded(v23);
  excluded.varint(2).entry(uuid_of(1), {{1, 1}}, 0).recipient(uuid_of(2), kind).raw({0x00});
  excluded.shared(32);
  CHECK(error_of(excluded.body()) == multi_recipient_errc::invalid);
}

TEST_CASE("multi-recipient: versions other than 0x22 and 0x23 are refused", "[sealed_sender]") {
  const std::uint8_t version = GENERATE(std::uint8_t{0x00}, std::uint8_t{0x21}, std::uint8_t{0x24},
                                        std::uint8_t{0x33}, std::uint8_t{0xFF});
  const bytes body =
      body_builder(version).varint(1).entry(uuid_of(1), {{1, 1}}, 0).shared(32).body();
  CHECK(error_of(body) == multi_recipient_errc::invalid);
  CHECK(error_of({}) == multi_recipient_errc::invalid);
  CHECK(message_of({0x21}) == "unknown version 0x21");
}

TEST_CASE("multi-recipient: an account excluded and included, or excluded twice, is refused",
          "[sealed_sender]") {
  const std::uint8_t version = GENERATE(v22, v23);
  SECTION("excluded, then included") {
    const bytes body = body_builder(version)
                           .varint(2)
                           .excluded(uuid_of(1))
                           .entry(uuid_of(1), {{1, 1}}, 0)
                           .shared(32)
                           .body();
    CHECK(error_of(body) == multi_recipient_errc::invalid);
    CHECK(message_of(body) == "entry 2: account " + text_of(1) + " both excluded and included");
  }
  SECTION("included, then excluded") {
    const bytes body = body_builder(version)
                           .varint(2)
                           .entry(uuid_of(1), {{1, 1}}, 0)
                           .excluded(uuid_of(1))
                           .shared(32)
                           .body();
    CHECK(error_of(body) == multi_recipient_errc::invalid);
  }
  SECTION("excluded twice") {
    const bytes body = body_builder(version)
                           .varint(3)
                           .excluded(uuid_of(2))
                           .entry(uuid_of(1), {{1, 1}}, 0)
                           .excluded(uuid_of(2))
                           .shared(32)
                           .body();
    CHECK(error_of(body) == multi_recipient_errc::invalid);
    CHECK(message_of(body) == "entry 3: account " + text_of(2) + " excluded twice");
  }
}

TEST_CASE("multi-recipient: a body without an included recipient is refused", "[sealed_sender]") {
  const std::uint8_t version = GENERATE(v22, v23);
  SECTION("count 0") {
    const bytes body = body_builder(version).varint(0).shared(64).body();
    CHECK(error_of(body) == multi_recipient_errc::invalid);
    CHECK(message_of(body) == "no included recipient");
  }
  SECTION("only excluded recipients") {
    const bytes body =
        body_builder(version).varint(2).excluded(uuid_of(1)).excluded(uuid_of(2)).shared(32).body();
    CHECK(error_of(body) == multi_recipient_errc::invalid);
    CHECK(message_of(body) == "no included recipient");
  }
}

TEST_CASE("multi-recipient: a count over the limit is refused before any entry is read",
          "[sealed_sender]") {
  const std::uint8_t version = GENERATE(v22, v23);
  // Only the version and the count: the entries are not there at all.
  CHECK(error_of(body_builder(version).varint(3).body(), 2) ==
        multi_recipient_errc::too_many_recipients);
  CHECK(error_of(body_builder(version).varint(std::uint64_t{1} << 60).body(), 64) ==
        multi_recipient_errc::too_many_recipients);
  auto over = parse(body_builder(version).varint(65).body(), 64);
  REQUIRE_FALSE(over);
  CHECK(over.error().message == "count 65 over the limit of 64 recipients");

  // At the limit a complete body passes; the same body with a lower limit does not.
  body_builder two(version);
  two.varint(2).entry(uuid_of(1), {{1, 1}}, 0).excluded(uuid_of(2)).shared(32);
  CHECK(parse(two.body(), 2));
  CHECK(error_of(two.body(), 1) == multi_recipient_errc::too_many_recipients);
  // At the limit but short, it is only invalid.
  CHECK(error_of(body_builder(version).varint(2).body(), 2) == multi_recipient_errc::invalid);
}

TEST_CASE("multi-recipient: a count claiming 2^60 entries costs only what the body holds",
          "[sealed_sender]") {
  // No limit on recipients: the parser must run out of body, not reserve 2^60 entries.
  body_builder b(v23);
  b.varint(std::uint64_t{1} << 60).entry(uuid_of(1), {{1, 1}}, 0).shared(32);
  CHECK(error_of(b.body(), std::numeric_limits<std::size_t>::max()) ==
        multi_recipient_errc::invalid);
}

TEST_CASE("multi-recipient: count is a protobuf varint", "[sealed_sender]") {
  SECTION("a two-byte count: 130 entries") {
    body_builder b(v22);
    b.varint(130);
    REQUIRE(b.body().size() == 3);  // 0x22 0x82 0x01
    CHECK(b.body()[1] == 0x82);
    CHECK(b.body()[2] == 0x01);
    for (int i = 0; i < 130; ++i) {
      b.entry(uuid_of(static_cast<std::uint8_t>(i)), {{1, 1}}, 0);
    }
    b.shared(32);
    auto parsed = parse(b.body(), 130);
    REQUIRE(parsed);
    CHECK(parsed->accounts.size() == 130);
    CHECK(parsed->accounts[129].account_id == text_of(129));
    CHECK(error_of(b.body(), 129) == multi_recipient_errc::too_many_recipients);
  }
  SECTION("longer encodings than needed are accepted, up to 10 bytes") {
    // 1 as 0x81 0x80 ... 0x80 0x00: ten bytes.
    body_builder b(v23);
    b.raw({0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00});
    b.entry(uuid_of(1), {{1, 1}}, 0).shared(32);
    CHECK(parse(b.body()));
    body_builder two_bytes(v23);
    two_bytes.raw({0x81, 0x00}).entry(uuid_of(1), {{1, 1}}, 0).shared(32);
    CHECK(parse(two_bytes.body()));
  }
  SECTION("2^64 - 1 in 10 bytes is a count, too many rather than invalid") {
    body_builder b(v23);
    b.raw({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01});
    CHECK(error_of(b.body(), std::numeric_limits<std::size_t>::max() - 1) ==
          multi_recipient_errc::too_many_recipients);
  }
  SECTION("over 64 bits") {
    body_builder b(v23);
    b.raw({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02});
    b.entry(uuid_of(1), {{1, 1}}, 0).shared(32);
    CHECK(error_of(b.body()) == multi_recipient_errc::invalid);
    CHECK(message_of(b.body()) == "count: varint over 64 bits");
  }
  SECTION("longer than 10 bytes") {
    body_builder b(v23);
    b.raw({0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00});
    b.entry(uuid_of(1), {{1, 1}}, 0).shared(32);
    CHECK(error_of(b.body()) == multi_recipient_errc::invalid);
    CHECK(message_of(b.body()) == "count: varint longer than 10 bytes");
  }
  SECTION("truncated") {
    CHECK(error_of({v23, 0x80}) == multi_recipient_errc::invalid);
    CHECK(error_of({v23, 0xFF, 0xFF}) == multi_recipient_errc::invalid);
    CHECK(message_of({v22}) == "truncated count");
  }
}

TEST_CASE("multi-recipient: shared needs at least E.pub's 32 bytes", "[sealed_sender]") {
  const std::uint8_t version = GENERATE(v22, v23);
  body_builder b31(version);
  b31.varint(1).entry(uuid_of(1), {{1, 1}}, 0).shared(31);
  CHECK(error_of(b31.body()) == multi_recipient_errc::invalid);
  CHECK(message_of(b31.body()) == "shared part of 31 bytes, under 32");
  body_builder b32(version);
  b32.varint(1).entry(uuid_of(1), {{1, 1}}, 0).shared(32);
  CHECK(parse(b32.body()));
}

TEST_CASE("multi-recipient: 49 + len(shared) over max_message_bytes is message_too_large",
          "[sealed_sender]") {
  const std::uint8_t version = GENERATE(v22, v23);
  body_builder b(version);
  b.varint(1).entry(uuid_of(1), {{1, 1}}, 0).shared(100);
  CHECK(parse(b.body(), 64, 149));
  CHECK(error_of(b.body(), 64, 148) == multi_recipient_errc::message_too_large);
  // Limits under the 49-byte overhead do not wrap around.
  CHECK(error_of(b.body(), 64, 48) == multi_recipient_errc::message_too_large);
  CHECK(error_of(b.body(), 64, 0) == multi_recipient_errc::message_too_large);
  auto too_large = parse(b.body(), 64, 148);
  REQUIRE_FALSE(too_large);
  CHECK(too_large.error().message == "content of 49 + 100 bytes over the limit of 148");

  // Only an otherwise valid body is too large: a broken one is invalid whatever its size.
  body_builder broken(version);
  broken.varint(1).entry(uuid_of(1), {{1, 1}, {1, 2}}, 0).shared(100);
  CHECK(error_of(broken.body(), 64, 148) == multi_recipient_errc::invalid);
}

TEST_CASE("multi-recipient: each device gets 0x22 || C || AT || shared", "[sealed_sender]") {
  const std::uint8_t version = GENERATE(v22, v23);
  const bytes body = body_builder(version)
                         .varint(2)
                         .entry(uuid_of(1), {{1, 1}, {2, 2}}, 0x10)
                         .entry(uuid_of(2), {{1, 3}}, 0x60)
                         .shared(35, 0xC0)
                         .body();
  auto parsed = parse(body);
  REQUIRE(parsed);
  REQUIRE(parsed->accounts.size() == 2);
  for (std::size_t a = 0; a < 2; ++a) {
    const std::uint8_t key = a == 0 ? 0x10 : 0x60;
    std::string expected(1, '\x22');
    for (int i = 0; i < 48; ++i) {
      expected.push_back(static_cast<char>(key + i));
    }
    for (int i = 0; i < 35; ++i) {
      expected.push_back(static_cast<char>(0xC0 + i));
    }
    // 0x22 also for a body sent as 0x23; one content per account, whatever the device.
    CHECK(device_content(parsed->accounts[a], parsed->shared) == expected);
  }
  CHECK(device_content(parsed->accounts[0], parsed->shared).size() == 49 + 35);
}
