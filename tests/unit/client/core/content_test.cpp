// Message content: padded to whole blocks, decoded exactly, bad padding refused.
#include "core/content.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace sealpost::client;

TEST_CASE("client core: content round-trips and is padded to whole blocks", "[content]") {
  for (const std::size_t length : {0UL, 1UL, 40UL, 63UL, 64UL, 500UL}) {
    const data_message message{std::string(length, 'a'), 1700000000000, "alice", {}};
    const auto encoded = encode_content(message);
    CHECK(encoded.size() % content_padding_block == 0);
    const auto decoded = decode_content(encoded.view());
    REQUIRE(decoded.has_value());
    const auto* data = std::get_if<data_message>(&*decoded);
    REQUIRE(data != nullptr);
    CHECK(data->text == message.text);
    CHECK(data->timestamp_ms == message.timestamp_ms);
    CHECK(data->sender_username == "alice");
    CHECK(data->profile_key.empty());
  }
  // The profile key travels in both kinds, for contacts and for our own other devices.
  const std::vector<std::uint8_t> profile_key(32, 0x5A);
  const sent_transcript sent{
      "1720fa36-9103-4bfd-ad0a-aabe655dcfdc", "bob", {"hi", 5, "alice", profile_key}};
  const auto decoded = decode_content(encode_content(sent).view());
  REQUIRE(decoded.has_value());
  const auto* transcript = std::get_if<sent_transcript>(&*decoded);
  REQUIRE(transcript != nullptr);
  CHECK(transcript->destination_username == "bob");
  CHECK(transcript->message.text == "hi");
  CHECK(transcript->message.profile_key == profile_key);
}

TEST_CASE("client core: content with bad padding or encoding is refused", "[content]") {
  const std::vector<std::uint8_t> no_marker(64, 0);
  CHECK_FALSE(decode_content(no_marker).has_value());
  CHECK_FALSE(decode_content(std::vector<std::uint8_t>{}).has_value());
  const std::vector<std::uint8_t> garbage{0xff, 0xff, 0xff, 0x80, 0, 0};
  CHECK_FALSE(decode_content(garbage).has_value());
  const std::vector<std::uint8_t> empty_content{0x80, 0, 0};
  CHECK_FALSE(decode_content(empty_content).has_value());
}
