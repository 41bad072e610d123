// Fuzz target: both directions of the WebSocket protocol (proto/sealpost/v1/websocket.proto),
// through the functions the two ends run. Each input is one binary frame, decoded
//  - as the server decodes a client frame: read_client_frame() in
//    server/net/websocket_frames.* (called by the session's read loop); and
//  - as the client decodes a server frame: decode_server_frame() in
//    client/net/websocket_codec.* (called by websocket_client).
//
// Properties: both decoders are total (the client's throws transport_error and nothing
// else); a decoded server frame re-encodes to bytes that decode to the same values; the
// guids a client frame acknowledges are canonical UUID text (model::is_canonical_uuid, as
// the REST API takes them), each the text of a 16-byte guid of the frame, and the client's
// encode_ack() of them is read back by the server as the same list.
#include "net/websocket_frames.hpp"

#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "fuzz_check.hpp"
#include "model/ids.hpp"
#include "net/api_types.hpp"
#include "net/errors.hpp"
#include "net/websocket_codec.hpp"
#include "quiet_protobuf.hpp"
#include "sealpost/v1/websocket.pb.h"

namespace {

using namespace sealpost::client::net;

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
  const auto acked = sealpost::net::read_client_frame(bytes);
  if (!acked) {
    return;  // the session closes with 1003
  }
  sealpost::v1::ClientFrame frame;
  FUZZ_CHECK(frame.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) && frame.has_ack());
  std::vector<guid> ids;
  std::size_t next = 0;
  for (const std::string& raw : frame.ack().guids()) {
    if (raw.size() != 16) {
      continue;
    }
    FUZZ_CHECK(next < acked->size());
    const std::string& text = (*acked)[next++];
    FUZZ_CHECK(sealpost::model::is_canonical_uuid(text));
    FUZZ_CHECK(sealpost::net::guid_bytes(text) == raw);
    guid id{};
    std::copy(raw.begin(), raw.end(), id.begin());
    FUZZ_CHECK(guid_from_text(text) == id);
    ids.push_back(id);
  }
  FUZZ_CHECK(next == acked->size());
  const std::string ack = encode_ack(ids);
  FUZZ_CHECK(sealpost::net::read_client_frame(sealpost::fuzz::bytes_of(ack)) == acked);
}

void client_reads_server_frame(std::span<const std::uint8_t> bytes) {
  server_frame decoded;
  try {
    decoded = decode_server_frame(bytes);
  } catch (const transport_error&) {
    return;
  }
  const std::string reencoded = encode(decoded);
  const server_frame again = decode_server_frame(sealpost::fuzz::bytes_of(reencoded));
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
