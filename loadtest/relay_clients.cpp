// Senders and WebSocket receivers of the relay scenarios.
#include "relay_clients.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <cstdio>
#include <optional>
#include <string_view>

#include "sealpost/v1/websocket.pb.h"
#include "test_identity.hpp"

namespace sealpost::loadtest {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using sealpost::testing::b64;
constexpr auto use = asio::use_awaitable;

namespace {

// What an envelope's content carries: when its send was scheduled (the sender's clock, which
// is the receiver's: one process), and the node the send went through.
struct stamp {
  sclock::time_point scheduled;
  std::size_t node = 0;
};

std::string encode_stamp(const stamp& s) {
  return std::to_string(s.scheduled.time_since_epoch().count()) + " " + std::to_string(s.node);
}

std::optional<stamp> parse_stamp(std::string_view content) {
  const char* const end = content.data() + content.size();
  sclock::rep ticks = 0;
  auto [p, ec] = std::from_chars(content.data(), end, ticks);
  if (ec != std::errc{} || p == end || *p != ' ')
    return std::nullopt;
  std::size_t node = 0;
  auto [q, ec_node] = std::from_chars(p + 1, end, node);
  if (ec_node != std::errc{} || q != end)
    return std::nullopt;
  return stamp{sclock::time_point(sclock::duration(ticks)), node};
}

// Counts the end-to-end latency of one delivery to `to`, also by node when there are several.
void record_delivery(relay_state& st, const placed& to, std::string_view content,
                     sclock::time_point now) {
  const auto s = parse_stamp(content);
  if (!s) {
    ++st.duplicates_or_unknown;
    return;
  }
  const auto latency = now - s->scheduled;
  st.e2e_latency.add(latency);
  if (st.nodes > 1)
    (s->node == to.node ? st.e2e_same_node : st.e2e_cross_node).add(latency);
}

// Reads deliveries and acks each until the socket closes.
asio::awaitable<void> receive(tcp::endpoint ep, placed me, relay_state& st, int& connected) {
  auto ex = co_await asio::this_coro::executor;
  auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(ex);
  st.sockets.push_back(ws);
  co_await beast::get_lowest_layer(*ws).async_connect(ep, use);
  beast::get_lowest_layer(*ws).socket().set_option(tcp::no_delay(true));
  beast::get_lowest_layer(*ws).expires_never();
  ws->set_option(
      websocket::stream_base::decorator([auth = me.who.auth()](websocket::request_type& req) {
        req.set(http::field::authorization, auth);
      }));
  co_await ws->async_handshake("127.0.0.1", "/v1/websocket", use);
  ws->binary(true);
  ++connected;
  beast::flat_buffer buffer;
  bool drained = false;
  try {
    for (;;) {
      buffer.clear();
      co_await ws->async_read(buffer, use);
      const auto now = sclock::now();
      sealpost::v1::ServerFrame frame;
      if (!frame.ParseFromArray(buffer.data().data(), static_cast<int>(buffer.size()))) {
        ++st.errors["bad_frame"];
        continue;
      }
      if (frame.has_queue_empty() && !drained) {
        drained = true;
        ++st.queue_empty;
        st.to_queue_empty.add(now - st.connect_start);
      }
      if (!frame.has_delivery())
        continue;
      ++st.delivered;
      record_delivery(st, me, frame.delivery().content(), now);
      sealpost::v1::ClientFrame ack;
      ack.mutable_ack()->add_guids(frame.delivery().guid());
      co_await ws->async_write(asio::buffer(ack.SerializeAsString()), use);
      ++st.acked;
      st.last_ack = sclock::now();
    }
  } catch (const boost::system::system_error& e) {
    if (!st.stopping)
      ++st.errors["ws_" + e.code().message()];
  }
}

// One send: an envelope for each of the receiver's 2 devices, carrying `content` (base64).
std::string send_body(const std::string& content) {
  json::array messages;
  for (int device = 1; device <= 2; ++device) {
    messages.push_back(
        {{"device_id", device}, {"registration_id", 1234}, {"type", 1}, {"content", content}});
  }
  json::object body{{"timestamp", 1700000000000}, {"online_only", false}, {"messages", messages}};
  return json::serialize(body);
}

}  // namespace

std::vector<placed> on_first_node(const std::vector<login>& clients) {
  std::vector<placed> out;
  out.reserve(clients.size());
  for (const auto& c : clients)
    out.push_back({c, 0});
  return out;
}

std::size_t place_device(std::size_t receiver, std::size_t device, std::size_t nodes) {
  return (receiver + device) % nodes;
}

std::size_t place_sender(std::size_t sender, std::size_t nodes) {
  return sender % nodes;
}

asio::awaitable<void> send_loop(tcp::endpoint ep, int index, placed me, const options& o,
                                relay_state& st) {
  connection c(co_await asio::this_coro::executor, ep);
  const auto end = st.start + std::chrono::seconds(o.duration);
  // Each sender's share of the target rate, staggered so the senders do not send in step.
  const auto interval = o.rate > 0 ? std::chrono::duration_cast<sclock::duration>(
                                         std::chrono::duration<double>(o.senders / o.rate))
                                   : sclock::duration::zero();
  auto scheduled = st.start + interval * index / o.senders;
  const auto receivers = static_cast<long>(st.receivers.size());
  for (long k = 0;; ++k) {
    if (o.rate > 0) {
      if (scheduled > sclock::now())
        co_await sleep_for(scheduled - sclock::now());
    } else {
      scheduled = sclock::now();
    }
    if (scheduled >= end || (st.limit > 0 && st.issued >= st.limit))
      break;
    ++st.issued;
    // Latency counts from the scheduled time, so a sender that falls behind its schedule
    // shows it (no coordinated omission).
    const auto& to = st.receivers[static_cast<std::size_t>((index + k * o.senders) % receivers)];
    const auto content = b64(encode_stamp({scheduled, me.node}));
    try {
      auto res = co_await c.request(http::verb::put, "/v1/messages/" + to.account_id,
                                    send_body(content), me.who.auth());
      if (res.status == 200) {
        ++st.sends;
        st.send_latency.add(sclock::now() - scheduled);
      } else {
        ++st.errors["http_" + std::to_string(res.status)];
      }
    } catch (const boost::system::system_error& e) {
      ++st.errors["io_" + e.code().message()];
    }
    scheduled += interval;
  }
  if (--st.senders_running == 0)
    st.senders_done = sclock::now();
}

asio::awaitable<std::pair<std::vector<placed>, std::vector<placed>>> setup_relay(tcp::endpoint ep,
                                                                                 const options& o,
                                                                                 relay_state& st) {
  const auto receivers = static_cast<std::size_t>(o.receivers);
  const auto nodes = static_cast<std::size_t>(o.nodes);
  std::vector<login> senders(static_cast<std::size_t>(o.senders));
  std::vector<login> second(receivers);
  st.receivers.resize(receivers);
  std::fprintf(stderr, "setup: %d receiver accounts (2 devices each), %d senders\n", o.receivers,
               o.senders);
  co_await parallel_setup(ep, o.receivers, o.setup_concurrency,
                          [&](connection& c, int i) -> asio::awaitable<void> {
                            auto& r = st.receivers[static_cast<std::size_t>(i)];
                            r = co_await register_account(c, 0, "r");
                            second[static_cast<std::size_t>(i)] = co_await link_device(c, r);
                          });
  co_await parallel_setup(
      ep, o.senders, o.setup_concurrency, [&](connection& c, int i) -> asio::awaitable<void> {
        senders[static_cast<std::size_t>(i)] = co_await register_account(c, 0, "s");
      });
  std::vector<placed> devices, placed_senders;
  for (std::size_t r = 0; r < receivers; ++r)
    devices.push_back({st.receivers[r], place_device(r, 0, nodes)});
  for (std::size_t r = 0; r < receivers; ++r)
    devices.push_back({second[r], place_device(r, 1, nodes)});
  for (std::size_t i = 0; i < senders.size(); ++i)
    placed_senders.push_back({senders[i], place_sender(i, nodes)});
  co_return std::pair{std::move(devices), std::move(placed_senders)};
}

asio::awaitable<void> connect_all(const std::vector<tcp::endpoint>& nodes,
                                  const std::vector<placed>& devices, relay_state& st,
                                  int& connected, sclock::duration wait) {
  auto ex = co_await asio::this_coro::executor;
  auto on_done = [&st](std::exception_ptr e) {
    if (!e)
      return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      if (!st.stopping)
        ++st.errors[std::string("ws_connect_") + x.what()];
    }
  };
  st.connect_start = sclock::now();
  for (const auto& d : devices)
    asio::co_spawn(ex, receive(nodes.at(d.node), d, st, connected), on_done);
  const auto until = sclock::now() + wait;
  while (connected < static_cast<int>(devices.size()) && sclock::now() < until)
    co_await sleep_for(std::chrono::milliseconds(10));
}

void close_all(relay_state& st) {
  st.stopping = true;
  for (auto& ws : st.sockets) {
    beast::error_code ignored;
    beast::get_lowest_layer(*ws).socket().close(ignored);
  }
}

}  // namespace sealpost::loadtest
