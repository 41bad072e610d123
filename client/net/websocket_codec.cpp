#include "net/websocket_codec.hpp"

#include <algorithm>
#include <climits>

#include "net/errors.hpp"
#include "sealpost/v1/websocket.pb.h"

namespace sealpost::client::net {

server_frame decode_server_frame(std::span<const std::uint8_t> bytes) {
  v1::ServerFrame frame;
  if (bytes.size() > static_cast<std::size_t>(INT_MAX) ||
      !frame.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw transport_error("unexpected answer from the server: an undecodable WebSocket frame");
  }
  if (frame.has_delivery()) {
    const v1::Envelope& in = frame.delivery();
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

std::string encode_ack(std::span<const guid> guids) {
  v1::ClientFrame frame;
  auto* ack = frame.mutable_ack();
  for (const guid& id : guids) {
    ack->add_guids(std::string(id.begin(), id.end()));
  }
  return frame.SerializeAsString();
}

}  // namespace sealpost::client::net
