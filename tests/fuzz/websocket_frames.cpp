// Fuzz target: both directions of the WebSocket protocol (proto/sealpost/v1/websocket.proto).
// Each input is one binary frame, decoded
//  - as the server decodes a client frame: read_loop() and acknowledge() in
//    server/net/websocket_session.cpp (ClientFrame::ParseFromArray, then has_ack(), then
//    only 16-byte guids count); and
//  - as the client decodes a server frame: decode_frame() in client/net/websocket_client.cpp
//    (ServerFrame::ParseFromArray, then a delivery needs a 16-byte guid; QueueEmpty and
//    KeysLow; anything else throws transport_error).
// Both decoders are file-local to those files (the server's inside the session class
// template), so their few lines are repeated below over the generated sealpost::v1 code;
// keep them in step (docs/fuzzing.md).
//
// Properties: both decoders are total (the client's throws transport_error and nothing
// else); a decoded frame re-encodes to bytes that decode to the same values; every guid an
// ack carries names a message the way the REST API does (canonical UUID text, which
// model::is_canonical_uuid accepts and the client's guid_from_text reads back).
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "fuzz_check.hpp"
#include "model/ids.hpp"
#include "net/api_types.hpp"
#include "net/errors.hpp"
#include "quiet_protobuf.hpp"
#include "sealpost/v1/websocket.pb.h"

namespace {

using namespace sealpost::client::net;

// decode_frame() of client/net/websocket_client.cpp, on a byte span instead of a Beast buffer.
server_frame decode_frame(std::span<const std::uint8_t> buffer) {
  sealpost::v1::ServerFrame frame;
  if (buffer.size() > static_cast<std::size_t>(INT_MAX) ||
      !frame.ParseFromArray(buffer.data(), static_cast<int>(buffer.size()))) {
    throw transport_error("unexpected answer from the server: an undecodable WebSocket frame");
  }
  if (frame.has_delivery()) {
    const sealpost::v1::Envelope& in = frame.delivery();
    envelope e;
    if (in.guid().size() != e.guid.size()) {
      throw transport_error("unexpected answer from the server: an envelope guid of " +
                            std::to_string(in.guid().size()) + " bytes");
    }
    std::copy(in.guid().begin(), in.guid().end(), e.guid.begin());
    e.source_account = in.source_account();
    e.source_device = in.source_device();
    e.destination_device = in.destination_device();
    e.type = in.type();
    e.content.assign(in.content().begin(), in.content().end());
    e.client_timestamp = in.client_timestamp();
    e.server_timestamp = in.server_timestamp();
    return e;
  }
  if (frame.has_queue_empty()) {
    return queue_empty{};
  }
  if (frame.has_keys_low()) {
    return keys_low{frame.keys_low().one_time_prekeys(), frame.keys_low().pq_one_time_prekeys()};
  }
  throw transport_error("unexpected answer from the server: a WebSocket frame of unknown kind");
}

std::string encode(const server_frame& decoded) {
  sealpost::v1::ServerFrame frame;
  if (const auto* e = std::get_if<envelope>(&decoded)) {
    auto* out = frame.mutable_delivery();
    out->set_guid(std::string(e->guid.begin(), e->guid.end()));
    out->set_source_account(e->source_account);
    out->set_source_device(e->source_device);
    out->set_destination_device(e->destination_device);
    out->set_type(e->type);
    out->set_content(std::string(e->content.begin(), e->content.end()));
    out->set_client_timestamp(e->client_timestamp);
    out->set_server_timestamp(e->server_timestamp);
  } else if (std::holds_alternative<queue_empty>(decoded)) {
    frame.mutable_queue_empty();
  } else {
    const auto& k = std::get<keys_low>(decoded);
    frame.mutable_keys_low()->set_one_time_prekeys(k.one_time_prekeys);
    frame.mutable_keys_low()->set_pq_one_time_prekeys(k.pq_one_time_prekeys);
  }
  return frame.SerializeAsString();
}

bool same(const server_frame& a, const server_frame& b) {
  if (a.index() != b.index()) {
    return false;
  }
  if (const auto* x = std::get_if<envelope>(&a)) {
    const auto& y = std::get<envelope>(b);
    return x->guid == y.guid && x->source_account == y.source_account &&
           x->source_device == y.source_device && x->destination_device == y.destination_device &&
           x->type == y.type && x->content == y.content &&
           x->client_timestamp == y.client_timestamp && x->server_timestamp == y.server_timestamp;
  }
  if (const auto* x = std::get_if<keys_low>(&a)) {
    const auto& y = std::get<keys_low>(b);
    return x->one_time_prekeys == y.one_time_prekeys &&
           x->pq_one_time_prekeys == y.pq_one_time_prekeys;
  }
  return true;
}

void server_reads_client_frame(std::span<const std::uint8_t> bytes) {
  sealpost::v1::ClientFrame frame;
  // read_loop(): anything but a decodable ClientFrame with an ack closes the socket (1003).
  if (!frame.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) || !frame.has_ack()) {
    return;
  }
  sealpost::v1::ClientFrame again;
  FUZZ_CHECK(again.ParseFromString(frame.SerializeAsString()) && again.has_ack() &&
             again.ack().guids_size() == frame.ack().guids_size());
  FUZZ_CHECK(again.SerializeAsString() == frame.SerializeAsString());
  // acknowledge(): guids that are not 16 bytes cannot be ours and are skipped.
  for (const std::string& raw : frame.ack().guids()) {
    if (raw.size() != 16) {
      continue;
    }
    guid id{};
    std::copy(raw.begin(), raw.end(), id.begin());
    const std::string text = guid_to_text(id);
    FUZZ_CHECK(sealpost::model::is_canonical_uuid(text));
    FUZZ_CHECK(guid_from_text(text) == id);
  }
}

void client_reads_server_frame(std::span<const std::uint8_t> bytes) {
  server_frame decoded;
  try {
    decoded = decode_frame(bytes);
  } catch (const transport_error&) {
    return;
  }
  const std::string reencoded = encode(decoded);
  const server_frame again = decode_frame(sealpost::fuzz::bytes_of(reencoded));
  FUZZ_CHECK(same(again, decoded));
  FUZZ_CHECK(encode(again) == reencoded);
  if (const auto* e = std::get_if<envelope>(&decoded)) {
    FUZZ_CHECK(sealpost::model::is_canonical_uuid(guid_to_text(e->guid)));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  server_reads_client_frame(bytes);
  client_reads_server_frame(bytes);
  return 0;
}
