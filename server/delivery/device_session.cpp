// The device session: read loop || pump, joined with Asio's awaitable operators.
#include "delivery/device_session.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <map>
#include <pqxx/nontransaction>
#include <random>

#include "model/ids.hpp"
#include "net/websocket_frames.hpp"
#include "sealpost/v1/websocket.pb.h"
#include "storage/db_pool.hpp"
#include "storage/key_repository.hpp"
#include "storage/message_repository.hpp"
#include "storage/notifications.hpp"
#include "storage/transaction.hpp"
#include "util/log.hpp"

namespace sealpost::delivery {
namespace {

using net::any_stream;
using net::connection_lease;
using net::guid_bytes;
using net::lifecycle;
using net::plain_stream;
using net::read_client_frame;
using net::request;
using net::tls_stream;

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// A quarter either way, so that sockets which connected together (after a restart, say)
// do not all re-check their queues in the same instant.
std::chrono::milliseconds jittered(std::chrono::milliseconds interval) {
  thread_local std::minstd_rand random(std::random_device{}());
  std::uniform_int_distribution<std::int64_t> spread(-interval.count() / 4, interval.count() / 4);
  return interval + std::chrono::milliseconds(spread(random));
}

template <class Stream>
class device_session : public device_socket,
                       public std::enable_shared_from_this<device_session<Stream>> {
 public:
  using std::enable_shared_from_this<device_session<Stream>>::shared_from_this;

  device_session(Stream stream, auth::authenticated_device device, session_env env,
                 connection_lease lease)
      : ws_(std::move(stream)),
        device_(std::move(device)),
        env_(std::move(env)),
        wake_(ws_.get_executor()),
        lease_(std::move(lease)) {}

  asio::awaitable<void> run(request req) {
    const auto& cfg = env_.services.cfg;
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(30);
    timeouts.idle_timeout = std::chrono::milliseconds(cfg.ws_idle_timeout_ms);
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(cfg.ws_max_frame_bytes);
    ws_.binary(true);
    beast::get_lowest_layer(ws_).expires_never();  // the websocket timeouts take over
    // The upgrade request is not needed once answered: free its headers for the life of
    // the socket.
    auto [ec] = co_await accept(std::move(req));
    if (ec) {
      log::debug("websocket_accept_failed", {{"error", ec.message()}});
      co_return;
    }

    // Presence first: it draws this connection's generation, which must be set before the
    // registry publishes the session to other threads.
    co_await set_presence(true);
    env_.registry.add(device_.account_id, device_.device_id, shared_from_this());
    env_.services.metrics.websocket_opened();
    keys_low_pending_ = true;  // check once at connect
    // The pump runs as its own coroutine on our strand; the read loop runs here. Whichever
    // ends first ends the other: the reader wakes the pump with stopping_, the pump cancels
    // the pending read.
    asio::co_spawn(
        ws_.get_executor(), [self = shared_from_this()] { return self->pump(); },
        [self = shared_from_this()](std::exception_ptr e) {
          if (e) {
            try {
              std::rethrow_exception(e);
            } catch (const std::exception& err) {
              log::warn("websocket_pump_failed", {{"what", err.what()}});
            }
          }
          self->pump_running_ = false;
          boost::system::error_code ignored;
          beast::get_lowest_layer(self->ws_).socket().cancel(ignored);
          self->pump_done_.cancel();
        });
    try {
      co_await read_loop();
    } catch (const std::exception& e) {
      log::warn("websocket_failed", {{"what", e.what()}});
    }
    stopping_ = true;
    wake_.cancel();
    while (pump_running_) {
      pump_done_.expires_at(asio::steady_timer::time_point::max());
      co_await pump_done_.async_wait(use_tuple);
    }
    env_.registry.remove(device_.account_id, device_.device_id, this);
    env_.services.metrics.websocket_closed();
    co_await set_presence(false);
  }

  // device_socket: called from any thread; state changes happen on our strand.
  void wake_messages() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      self->messages_pending_ = true;
      self->wake_.cancel();
    });
  }
  void wake_keys_low() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      self->keys_low_pending_ = true;
      self->wake_.cancel();
    });
  }
  std::int64_t generation() const override { return generation_; }

  void close_with(std::uint16_t code, std::string reason) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)] {
      self->request_close(code, reason);
    });
  }

 private:
  asio::awaitable<std::tuple<boost::system::error_code>> accept(request req) {
    co_return co_await ws_.async_accept(req, use_tuple);
  }

  void request_close(std::uint16_t code, const std::string& reason) {
    if (!close_) {
      websocket::close_reason why;
      why.code = code;
      why.reason = reason;
      close_ = why;
    }
    wake_.cancel();
  }

  asio::awaitable<void> set_presence(bool present) {
    try {
      co_await storage::in_transaction(env_.services.db, [&](pqxx::work& tx) {
        if (present) {
          storage::mark_present(tx, device_.account_id, device_.device_id, connection_id_);
          generation_ = storage::next_connection_generation(tx);
          // Other nodes close their older connection of this device (4409).
          storage::notify(tx, std::array{encode_wakeup({wakeup_kind::connected, device_.account_id,
                                                        device_.device_id, generation_})});
        } else {
          storage::mark_absent(tx, device_.account_id, device_.device_id, connection_id_);
        }
      });
    } catch (const std::exception& e) {
      // Presence only steers online-only sends; losing one update is not worth a failure.
      log::warn("presence_update_failed", {{"what", e.what()}});
    }
  }

  // Reads client frames: acks free window room; anything else closes the socket.
  asio::awaitable<void> read_loop() {
    for (;;) {
      beast::flat_buffer buffer;
      auto [ec, n] = co_await ws_.async_read(buffer, use_tuple);
      if (ec) {  // closed, timed out, or too big (Beast has sent 1009 itself)
        log::debug("websocket_read_ended", {{"error", ec.message()}});
        co_return;
      }
      const auto data = buffer.cdata();
      auto acked =
          ws_.got_binary()
              ? read_client_frame({static_cast<const std::uint8_t*>(data.data()), data.size()})
              : std::nullopt;
      if (!acked) {
        request_close(websocket::close_code::unknown_data, "expected a binary ClientFrame");
        continue;  // keep reading until the peer answers our close
      }
      co_await acknowledge(std::move(*acked));
    }
  }

  asio::awaitable<void> acknowledge(std::vector<std::string> guids) {
    const auto now = std::chrono::steady_clock::now();
    for (const auto& text : guids) {
      if (auto it = in_flight_.find(text); it != in_flight_.end()) {
        env_.services.metrics.observe_ack_delay(now - it->second);
        in_flight_.erase(it);
      }
    }
    if (guids.empty())
      co_return;
    const auto deleted = co_await env_.services.db.run([&](pqxx::connection& conn) {
      return storage::delete_envelopes(conn, device_.account_id, device_.device_id, guids,
                                       storage::ack_commit::unflushed);
    });
    env_.services.metrics.envelopes_acked(deleted);
    // Only a pump that stopped at the window's edge has more to send because of this ack;
    // otherwise the next wake-up says when there is more (a fetch per ack would double
    // the relay's queries).
    if (window_was_full_) {
      window_was_full_ = false;
      messages_pending_ = true;
      wake_.cancel();
    }
  }

  // The single writer. When the database goes away, the client is told to come back later
  // (1013) rather than losing its socket without a word; it reconnects once /readyz would.
  asio::awaitable<void> pump() {
    try {
      co_await pump_loop();
      co_return;
    } catch (const std::exception& e) {
      if (!storage::is_database_unavailable(e))
        throw;
    }
    const websocket::close_reason why(websocket::close_code::try_again_later,
                                      "database unavailable");
    co_await ws_.async_close(why, use_tuple);
  }

  // Sends whatever is pending, then sleeps until woken.
  asio::awaitable<void> pump_loop() {
    for (;;) {
      if (stopping_)
        co_return;
      if (close_) {
        co_await ws_.async_close(*close_, use_tuple);
        co_return;
      }
      if (keys_low_pending_) {
        keys_low_pending_ = false;
        const bool written = co_await send_keys_low_if_needed();
        if (!written)
          co_return;
        continue;
      }
      if (messages_pending_) {
        messages_pending_ = false;
        const bool written = co_await deliver_some();
        if (!written)
          co_return;
        continue;
      }
      // Sleep until a wake-up (which cancels the timer), or until the re-check interval
      // passes without one: then look at the queue anyway, in case a wake-up was lost.
      const auto recheck = env_.services.cfg.ws_recheck_interval_ms;
      if (recheck == 0) {
        wake_.expires_at(asio::steady_timer::time_point::max());
      } else {
        wake_.expires_after(jittered(std::chrono::milliseconds(recheck)));
      }
      auto [slept] = co_await wake_.async_wait(use_tuple);
      if (!slept)  // the interval passed: nobody cancelled the timer
        messages_pending_ = true;
    }
  }

  // Sends up to the free window; QueueEmpty once the first time the queue is drained.
  asio::awaitable<bool> deliver_some() {
    const std::size_t window = env_.services.cfg.delivery_window;
    if (in_flight_.size() >= window) {
      window_was_full_ = true;  // an ack will wake us
      co_return true;
    }
    const std::size_t room = window - in_flight_.size();
    auto batch = co_await env_.services.db.run([&, after = cursor_](pqxx::connection& conn) {
      // One statement: no transaction around it, saving the BEGIN and COMMIT round trips.
      pqxx::nontransaction tx(conn);
      return storage::fetch_envelopes(tx, device_.account_id, device_.device_id, after, room);
    });
    for (const auto& e : batch) {
      sealpost::v1::ServerFrame frame;
      auto* d = frame.mutable_delivery();
      d->set_guid(guid_bytes(e.guid));
      // A sealed envelope's fields 2 and 3 are not written at all.
      if (e.source) {
        d->set_source_account(e.source->account);
        d->set_source_device(static_cast<std::uint32_t>(e.source->device));
      }
      d->set_destination_device(static_cast<std::uint32_t>(e.destination_device));
      d->set_type(e.type);
      d->set_content(e.content);
      d->set_client_timestamp(e.client_timestamp);
      d->set_server_timestamp(e.server_timestamp);
      const bool written = co_await write(frame);
      if (!written)
        co_return false;
      cursor_ = e.seq;
      in_flight_.emplace(e.guid, std::chrono::steady_clock::now());
      if (queue_empty_sent_)  // sent while this socket was open: the wake-up path's latency
        observe_live_delivery(e.server_timestamp);
    }
    env_.services.metrics.envelopes_delivered(batch.size());
    if (batch.size() == room) {
      messages_pending_ = true;  // there may be more, if the window lets us
    } else if (!queue_empty_sent_) {
      queue_empty_sent_ = true;
      sealpost::v1::ServerFrame frame;
      frame.mutable_queue_empty();
      const bool written = co_await write(frame);
      if (!written)
        co_return false;
    }
    co_return true;
  }

  // The server timestamp is the sending node's clock: across machines, the figure includes
  // their clock difference.
  void observe_live_delivery(std::uint64_t server_timestamp_ms) {
    const auto sent = std::chrono::system_clock::time_point(
        std::chrono::milliseconds(static_cast<std::int64_t>(server_timestamp_ms)));
    env_.services.metrics.observe_live_delivery(std::max(
        std::chrono::system_clock::duration::zero(), std::chrono::system_clock::now() - sent));
  }

  asio::awaitable<bool> send_keys_low_if_needed() {
    auto counts = co_await storage::in_transaction(env_.services.db, [&](pqxx::work& tx) {
      return storage::count_keys(tx, device_.account_id, device_.device_id);
    });
    const auto watermark = static_cast<std::int64_t>(env_.services.cfg.keys_low_watermark);
    if (counts.one_time_prekeys >= watermark && counts.pq_one_time_prekeys >= watermark)
      co_return true;
    sealpost::v1::ServerFrame frame;
    frame.mutable_keys_low()->set_one_time_prekeys(
        static_cast<std::uint32_t>(counts.one_time_prekeys));
    frame.mutable_keys_low()->set_pq_one_time_prekeys(
        static_cast<std::uint32_t>(counts.pq_one_time_prekeys));
    co_return co_await write(frame);
  }

  // One frame, within websocket.write_timeout_ms. Beast's WebSocket timeouts only watch the
  // reading side, so a client that keeps sending but never reads would otherwise hold this
  // writer (and its window of envelopes) forever: when the deadline passes, the socket is
  // closed, which fails the write and ends both loops.
  asio::awaitable<bool> write(const sealpost::v1::ServerFrame& frame) {
    const std::string bytes = frame.SerializeAsString();
    write_deadline_.expires_after(std::chrono::milliseconds(env_.services.cfg.ws_write_timeout_ms));
    const std::uint64_t this_write = ++writes_started_;
    write_deadline_.async_wait(
        [self = shared_from_this(), this_write](boost::system::error_code ec) {
          // Cancelled, or expired just as the write finished: nothing to do.
          if (ec || self->writes_finished_ >= this_write)
            return;
          log::info("websocket_write_timeout", {{"connection_id", self->connection_id_}});
          boost::system::error_code ignored;
          beast::get_lowest_layer(self->ws_).socket().close(ignored);
        });
    auto [ec, n] = co_await ws_.async_write(asio::buffer(bytes), use_tuple);
    writes_finished_ = this_write;
    write_deadline_.cancel();
    co_return !ec;
  }

  websocket::stream<Stream> ws_;
  auth::authenticated_device device_;
  session_env env_;
  asio::steady_timer wake_;
  asio::steady_timer pump_done_{ws_.get_executor()};
  asio::steady_timer write_deadline_{ws_.get_executor()};
  std::uint64_t writes_started_ = 0;
  std::uint64_t writes_finished_ = 0;
  bool pump_running_ = true;
  bool stopping_ = false;
  bool messages_pending_ = true;  // deliver the backlog at connect
  bool keys_low_pending_ = false;
  bool queue_empty_sent_ = false;
  bool window_was_full_ = false;  // the pump has envelopes waiting for window room
  std::optional<websocket::close_reason> close_;
  const std::string connection_id_ = model::new_connection_id();
  std::int64_t generation_ = 0;  // 0 until drawn: older than every real connection
  std::int64_t cursor_ = 0;      // highest seq written to this socket
  // Written and not yet acknowledged: guid -> when it was written.
  std::map<std::string, std::chrono::steady_clock::time_point> in_flight_;
  connection_lease lease_;  // counts the connection until the session ends
  // Shutdown waits (up to shutdown_grace_ms) for open sessions to send their 1012 close.
  lifecycle::request_scope active_{env_.life};
};

template <class Stream>
void start(Stream&& stream, request req, auth::authenticated_device device, session_env env,
           connection_lease lease) {
  auto executor = beast::get_lowest_layer(stream).get_executor();  // the connection's strand
  auto session = std::make_shared<device_session<std::decay_t<Stream>>>(
      std::forward<Stream>(stream), std::move(device), std::move(env), std::move(lease));
  asio::co_spawn(
      executor, [session, req = std::move(req)]() mutable { return session->run(std::move(req)); },
      log::log_failure("websocket_session_failed"));
}

}  // namespace

void start_device_session(any_stream stream, request req, auth::authenticated_device device,
                          session_env env, connection_lease lease) {
  if (auto* tls = std::get_if<tls_stream>(&stream)) {
    start(std::move(*tls), std::move(req), std::move(device), std::move(env), std::move(lease));
  } else {
    start(std::move(std::get<plain_stream>(stream)), std::move(req), std::move(device),
          std::move(env), std::move(lease));
  }
}

}  // namespace sealpost::delivery
