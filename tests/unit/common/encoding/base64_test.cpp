// Tests of the strict base64 codec that server and client share: RFC 4648 vectors and every
// way to be non-canonical.
#include "encoding/base64.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using sealpost::encoding::base64_decode;
using sealpost::encoding::base64_encode;

std::vector<std::uint8_t> bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

struct rfc_vector {
  std::string_view plain;
  std::string_view encoded;
};

// RFC 4648 section 10.
constexpr rfc_vector rfc4648_vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

}  // namespace

TEST_CASE("base64 encodes and decodes the RFC 4648 section 10 vectors", "[base64]") {
  for (const auto& v : rfc4648_vectors) {
    INFO("plain: \"" << v.plain << "\"");
    CHECK(base64_encode(bytes_of(v.plain)) == v.encoded);
    const auto decoded = base64_decode(v.encoded);
    REQUIRE(decoded.has_value());
    CHECK(*decoded == bytes_of(v.plain));
  }
}

TEST_CASE("base64 round-trips every byte value and every length", "[base64]") {
  std::vector<std::uint8_t> data;
  for (int i = 0; i < 300; ++i) {
    data.push_back(static_cast<std::uint8_t>(i * 7 + 3));
    const std::string encoded = base64_encode(data);
    INFO("length " << data.size() << ": " << encoded);
    const auto decoded = base64_decode(encoded);
    REQUIRE(decoded.has_value());
    CHECK(*decoded == data);
  }
}

TEST_CASE("base64 uses the standard alphabet for the last two symbols", "[base64]") {
  const std::vector<std::uint8_t> data = {0xFB, 0xFF, 0xBF};
  CHECK(base64_encode(data) == "+/+/");
  CHECK(base64_decode("+/+/") == std::optional(data));
}

TEST_CASE("base64 rejects everything but the canonical padded encoding", "[base64]") {
  const std::string_view rejected[] = {
      // Wrong length: unpadded or truncated.
      "Zg",
      "Zm8",
      "Zm9vY",
      "Z",
      "Zm9vYg=",
      // Whitespace anywhere, including what OpenSSL itself would skip.
      " Zm9v",
      "Zm9v ",
      "Zm9v\n",
      "Zm\n9v",
      "Zm9v\r\n",
      "\tZm9v",
      // Characters outside the standard alphabet (URL-safe, NUL, non-ASCII).
      "Zm9-",
      "Zm9_",
      "Zm9.",
      std::string_view("Zm9\0", 4),
      "Zm9\xC3\xA9",
      // Padding in the wrong place or too much of it.
      "=Zm9",
      "Zg=a",
      "Z===",
      "====",
      "Zm==Zm9v",
      "Zg==Zg==",
      "Zm9v====",
      // Non-zero bits under the padding: "Zh==" and "Zm+=" would otherwise decode to
      // the same bytes as "Zg==" and "Zm8=".
      "Zh==",
      "Zv==",
      "Zm9=",
      "Zm+=",
  };
  for (const auto text : rejected) {
    INFO("input: \"" << std::string(text) << "\"");
    CHECK_FALSE(base64_decode(text).has_value());
  }
}

TEST_CASE("base64 handles inputs larger than one OpenSSL chunk", "[base64]") {
  // Megabytes, as the server's OpenSSL-based codec once took in 3 MiB / 4 MiB chunks; the
  // size leaves one byte in the last group, so the encoding ends in "==".
  std::vector<std::uint8_t> data(5 * 1024 * 1024 + 2);
  for (std::size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<std::uint8_t>(i ^ (i >> 8));
  }
  const std::string encoded = base64_encode(data);
  CHECK(encoded.size() == 4 * ((data.size() + 2) / 3));
  CHECK(encoded.substr(encoded.size() - 2) == "==");
  const auto decoded = base64_decode(encoded);
  REQUIRE(decoded.has_value());
  CHECK(*decoded == data);
}

TEST_CASE("client net: base64 round-trips and matches RFC 4648 vectors", "[net]") {
  const std::vector<std::pair<std::string, std::string>> vectors{{"", ""},
                                                                 {"f", "Zg=="},
                                                                 {"fo", "Zm8="},
                                                                 {"foo", "Zm9v"},
                                                                 {"foob", "Zm9vYg=="},
                                                                 {"fooba", "Zm9vYmE="},
                                                                 {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    CHECK(base64_encode(bytes_of(plain)) == encoded);
    const auto decoded = base64_decode(encoded);
    REQUIRE(decoded.has_value());
    CHECK(*decoded == bytes_of(plain));
  }
  std::vector<std::uint8_t> all(256);
  for (std::size_t i = 0; i < all.size(); ++i) {
    all[i] = static_cast<std::uint8_t>(i);
  }
  CHECK(base64_decode(base64_encode(all)) == all);
}

TEST_CASE("client net: base64 decoding is as strict as the server", "[net]") {
  for (const char* bad :
       {"Zg", "Zg=", "Zm9v\n", " Zm9v", "Zm-v", "Zm_v", "Zh==", "Zm9=", "====", "Z===", "Zm=v"}) {
    INFO(bad);
    CHECK_FALSE(base64_decode(bad).has_value());
  }
}
