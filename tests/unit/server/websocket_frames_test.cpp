// What the server makes of client WebSocket frames, and guid bytes <-> text.
#include "net/websocket_frames.hpp"

#include <catch2/catch.hpp>

#include "sealpost/v1/websocket.pb.h"

namespace {

using sealpost::net::guid_bytes;
using sealpost::net::guid_text;
using sealpost::net::read_client_frame;

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

const std::string sixteen("\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff", 16);

}  // namespace

TEST_CASE("guids map between 16 bytes and canonical UUID text both ways") {
  CHECK(guid_text(sixteen) == "00112233-4455-6677-8899-aabbccddeeff");
  CHECK(guid_bytes("00112233-4455-6677-8899-aabbccddeeff") == sixteen);
  CHECK(guid_bytes(guid_text(sixteen)) == sixteen);
}

TEST_CASE("an ack frame yields the canonical text of its 16-byte guids, in order") {
  sealpost::v1::ClientFrame frame;
  frame.mutable_ack()->add_guids(sixteen);
  frame.mutable_ack()->add_guids("short");  // cannot be ours: skipped
  frame.mutable_ack()->add_guids(std::string(16, '\x01'));
  const std::string wire = frame.SerializeAsString();
  const auto acked = read_client_frame(bytes_of(wire));
  REQUIRE(acked);
  CHECK(*acked == std::vector<std::string>{"00112233-4455-6677-8899-aabbccddeeff",
                                           "01010101-0101-0101-0101-010101010101"});

  sealpost::v1::ClientFrame empty_ack;
  empty_ack.mutable_ack();
  const std::string empty_wire = empty_ack.SerializeAsString();
  const auto none = read_client_frame(bytes_of(empty_wire));
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("anything but a ClientFrame with an ack is refused") {
  CHECK_FALSE(read_client_frame(bytes_of(sealpost::v1::ClientFrame().SerializeAsString())));
  CHECK_FALSE(read_client_frame(bytes_of(std::string("\xff\xff\xff", 3))));
  CHECK_FALSE(read_client_frame(bytes_of("not a protobuf at all, just text")));
}
