// Fuzz target: the strict base64 shared by server and client (common/encoding/base64.*),
// which every byte field of the REST API goes through, checked against OpenSSL's
// independent EVP_EncodeBlock / EVP_DecodeBlock.
//
// Properties: decode succeeds only for the canonical encoding, so encode(decode(text)) ==
// text, and then yields the bytes OpenSSL decodes; encode has the exact padded length,
// matches OpenSSL's encoder and decodes back to its input.
#include "encoding/base64.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.hpp"

using sealpost::encoding::base64_decode;
using sealpost::encoding::base64_encode;
using sealpost::fuzz::bytes_of;
using sealpost::fuzz::text_of;

namespace {

// libFuzzer inputs are small (-max_len), far below EVP's int lengths.
std::string openssl_encode(std::span<const std::uint8_t> bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // + EVP's terminating NUL
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                static_cast<int>(bytes.size()));
  FUZZ_CHECK(n >= 0);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// EVP_DecodeBlock on canonical text: it writes a zero byte for each '=', which goes.
std::vector<std::uint8_t> openssl_decode(std::string_view canonical) {
  std::vector<std::uint8_t> out(canonical.size() / 4 * 3);
  const int n =
      EVP_DecodeBlock(out.data(), bytes_of(canonical).data(), static_cast<int>(canonical.size()));
  FUZZ_CHECK(n >= 0 && static_cast<std::size_t>(n) == out.size());
  const auto padding = static_cast<std::size_t>(
      std::find_if(canonical.rbegin(), canonical.rend(), [](char c) { return c != '='; }) -
      canonical.rbegin());
  out.resize(out.size() - padding);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  const std::string_view text = text_of(input);

  // The input as base64 text.
  const auto decoded = base64_decode(text);
  if (decoded) {
    FUZZ_CHECK(text.size() % 4 == 0);
    FUZZ_CHECK(decoded->size() <= text.size() / 4 * 3);
    FUZZ_CHECK(base64_encode(*decoded) == text);
    FUZZ_CHECK(*decoded == openssl_decode(text));
  }

  // The input as bytes to encode.
  const std::string encoded = base64_encode(input);
  FUZZ_CHECK(encoded.size() == (size + 2) / 3 * 4);
  FUZZ_CHECK(encoded == openssl_encode(input));
  const auto round_trip = base64_decode(encoded);
  FUZZ_CHECK(round_trip.has_value());
  FUZZ_CHECK(std::equal(round_trip->begin(), round_trip->end(), input.begin(), input.end()));
  return 0;
}
