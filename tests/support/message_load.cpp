// The crash test's senders, its listening device and the final drain.
#include "message_load.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <random>

#include "http_client.hpp"
#include "net/websocket_frames.hpp"
#include "wait_until.hpp"
#include "ws_client.hpp"

namespace sealpost::testing {

namespace json = boost::json;
using namespace std::chrono_literals;
using sealpost::net::guid_text;

recipient register_recipient(std::uint16_t port) {
  recipient to;
  test_identity recipient_id, secondary_id;
  to.primary = register_account(port, recipient_id, unique_username("crash_rcpt"));
  api_client primary(port, to.primary);
  to.secondary = link_device(port, primary, secondary_id);
  return to;
}

load_accounts register_load_accounts(std::uint16_t port) {
  load_accounts out;
  out.to = register_recipient(port);
  for (int i = 0; i < kSenders; ++i) {
    test_identity id;
    out.senders.push_back(register_account(port, id, unique_username("crash_sender")));
  }
  return out;
}

message_load::message_load(std::uint16_t port, const std::vector<device_login>& senders,
                           recipient to, delivery_ledger& book, std::uint32_t seed)
    : port_(port), to_(std::move(to)), book_(book) {
  for (std::size_t i = 0; i < senders.size(); ++i) {
    threads_.emplace_back([this, i, login = senders[i]] { send_loop(static_cast<int>(i), login); });
  }
  threads_.emplace_back([this, seed] { receive_loop(seed); });
}

void message_load::pause() {
  paused_ = true;
  REQUIRE(wait_until([&] { return sending_ == 0 && !listening_; }, kRequestTimeout + 2s));
}

void message_load::stop() {
  stopping_ = true;
  for (auto& t : threads_) {
    if (t.joinable())
      t.join();
  }
}

namespace {

// The body of one send: content "<key>#<device>" for each device.
std::string send_body(const std::string& key, const recipient& to) {
  json::array messages;
  for (const auto device : {to.primary.device_id, to.secondary.device_id}) {
    messages.push_back({{"device_id", device},
                        {"registration_id", 1234},
                        {"type", 1},
                        {"content", b64(key + "#" + std::to_string(device))}});
  }
  return json::serialize(json::object{{"timestamp", 1700000000000}, {"messages", messages}});
}

std::map<std::string, std::string> auth_of(const device_login& who) {
  return {{"Authorization", basic_auth(who.account_id, who.device_id, who.password)}};
}

}  // namespace

void message_load::send_loop(int index, const device_login& me) {
  http_client client(port_);
  const auto auth = auth_of(me);
  const std::string target = "/v1/messages/" + to_.primary.account_id;
  for (int n = 0; !stopping_; ++n) {
    if (paused_) {
      std::this_thread::sleep_for(5ms);
      continue;
    }
    ++sending_;
    if (paused_) {  // paused in between: pause() may already have seen sending_ == 0
      --sending_;
      continue;
    }
    const std::string key = "s" + std::to_string(index) + "-" + std::to_string(n);
    const auto body = send_body(key, to_);
    book_.begin(key, me.account_id);
    client.set_port(port_);
    const auto r = client.try_request(kRequestTimeout, http::verb::put, target, body, auth);
    book_.finish(key, r);
    --sending_;
    // A pace, not a synchronisation: the load stays steady, and a sender whose server is
    // down (refused) does not spin.
    std::this_thread::sleep_for(r.how == http_result::kind::answered ? kSendPace : 20ms);
  }
}

void message_load::receive_loop(std::uint32_t seed) {
  std::mt19937 rng(seed);
  http_client rest(port_);
  const auto& me = to_.primary;
  const auto auth = auth_of(me);
  while (!stopping_) {
    if (paused_) {
      listening_ = false;
      std::this_thread::sleep_for(5ms);
      continue;
    }
    listening_ = true;
    std::unique_ptr<ws_client> ws;
    try {
      ws = std::make_unique<ws_client>(port_, me);
    } catch (const std::exception&) {
      std::this_thread::sleep_for(20ms);  // the server is down or not ready: retry
      continue;
    }
    const int connection = ++connections_;
    try {
      while (!stopping_ && !paused_) {
        // Quiet for a second (or closed): reconnect, as a client would.
        auto frame = ws->next(1s);
        if (!frame)
          break;
        if (!frame->has_delivery())
          continue;
        const auto& e = frame->delivery();
        book_.delivered(e, me.device_id, connection);
        const auto pick = rng() % 10;
        if (pick < 6) {
          ws->ack({e.guid()});
          book_.ws_acked();
        } else if (pick < 8) {
          rest.set_port(port_);
          const auto r = rest.try_request(kRequestTimeout, http::verb::delete_,
                                          "/v1/messages/" + guid_text(e.guid()), "", auth);
          if (r.how == http_result::kind::answered && r.status == 204)
            book_.confirmed_ack(guid_text(e.guid()));
          ws->ack({e.guid()});
        }
      }
    } catch (const std::exception&) {
      // The socket died under a write (server killed): reconnect.
    }
    // Back off before reconnecting, as a client should: while the database is down the
    // server accepts a socket and closes it again at once.
    std::this_thread::sleep_for(20ms);
  }
}

namespace {

// Reads one device's queue until QueueEmpty over a new socket, acking everything as it
// comes (an unacked window would stall the backlog). Returns how many envelopes came.
std::size_t drain(std::uint16_t port, const device_login& device, delivery_ledger& book,
                  int connection) {
  ws_client ws(port, device);
  std::size_t n = 0;
  for (;;) {
    auto frame = ws.next(10s);
    INFO("device " << device.device_id << " after " << n
                   << " envelopes: " << ws.last_error().message());
    REQUIRE(frame.has_value());
    if (frame->has_queue_empty())
      return n;
    if (!frame->has_delivery())
      continue;
    book.delivered(frame->delivery(), device.device_id, connection);
    ws.ack({frame->delivery().guid()});
    ++n;
  }
}

}  // namespace

void drain_all(std::uint16_t port, const recipient& to, delivery_ledger& book) {
  constexpr int kDrainConnection = 1'000'000;  // apart from the run's connection numbers
  for (const auto* device : {&to.primary, &to.secondary}) {
    drain(port, *device, book, kDrainConnection);
    api_client rest(port, *device);
    const bool emptied = wait_until(
        [&] {
          const auto polled = rest.get("/v1/messages").json();
          return polled.at("messages").as_array().empty();
        },
        10s);
    CHECK(emptied);
    CHECK(drain(port, *device, book, kDrainConnection + 1) == 0);
  }
}

}  // namespace sealpost::testing
