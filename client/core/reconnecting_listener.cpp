// The reconnecting listener: one WebSocket after another, with reconnect_backoff pauses in
// between that stop() and the overall duration can cut short.
#include "core/reconnecting_listener.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "core/listener.hpp"
#include "core/reconnect_backoff.hpp"
#include "net/errors.hpp"

namespace sealpost::client {
namespace {

using clock = std::chrono::steady_clock;

// The prekey pool may have run low while we were away; a failure here is no reason not to
// listen (the server says KeysLow later if it matters).
void check_prekeys(messenger& m, const reconnect_handlers& events) {
  try {
    m.replenish_prekeys();
  } catch (const std::exception& e) {
    if (events.on_prekey_check_failed) {
      events.on_prekey_check_failed(e);
    }
  }
}

class reconnecting_listener {
 public:
  reconnecting_listener(messenger& m, const listen_options& options,
                        const listen_handlers& handlers, const reconnect_handlers& events,
                        std::size_t refill_threshold)
      : m_(m),
        options_(options),
        handlers_(handlers),
        events_(events),
        refill_threshold_(refill_threshold) {
    if (options.duration.count() > 0) {
      deadline_ = clock::now() + options.duration;
    }
  }

  listen_summary run() {
    check_key_transparency_when_due();
    for (;;) {
      try {
        listen_once();
        return summary_;
      } catch (const net::connection_closed& e) {
        if (e.close_code() == net::close_code_replaced) {
          throw;  // another connection of this device took over: it listens now
        }
        notify(events_.on_closed, e);
      } catch (const net::transport_error& e) {
        notify(events_.on_unreachable, e);
      }
      // api_error (refused credentials, a removed device) passes through: retrying won't help.
      if (!wait_out_pause()) {
        return summary_;
      }
      backoff_.waited();
    }
  }

 private:
  // One connection, listening until `options_` say stop or until it fails (throws).
  void listen_once() {
    const std::unique_ptr<net::websocket_client> socket = m_.connect();
    backoff_.connected();
    listen_options remaining = options_;
    if (deadline_) {
      remaining.duration =
          std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - clock::now());
      if (remaining.duration.count() <= 0) {
        return;
      }
    }
    listen_on_socket(m_, *socket, remaining, handlers_, refill_threshold_, summary_,
                     check_when_due_);
    socket->close();
  }

  // The log check at start and every key_transparency_interval (DESIGN.md: the owner's own
  // label and the contacts' map entries, every hour while running). A check that could not
  // run is tried again within a minute.
  void check_key_transparency_when_due() {
    const auto interval = options_.key_transparency_interval;
    if (interval.count() <= 0 || clock::now() < next_kt_check_) {
      return;
    }
    try {
      const kt_check_report report = m_.check_key_transparency();
      next_kt_check_ = clock::now() + interval;
      if (report.server_has_kt && handlers_.on_key_transparency) {
        handlers_.on_key_transparency(report);
      }
    } catch (const std::exception& e) {
      next_kt_check_ =
          clock::now() + std::min<std::chrono::milliseconds>(interval, std::chrono::minutes(1));
      if (handlers_.on_key_transparency_error) {
        handlers_.on_key_transparency_error(e);
      }
    }
  }

  template <typename Handler, typename Error>
  void notify(const Handler& handler, const Error& e) const {
    if (handler) {
      handler(e, backoff_.pause());
    }
  }

  // Sleeps the backoff's pause, polling stop(). False when listening should end instead.
  bool wait_out_pause() const {
    const auto poll = std::chrono::milliseconds(100);
    for (auto slept = std::chrono::milliseconds(0); slept < backoff_.pause() && !stopped();
         slept += poll) {
      std::this_thread::sleep_for(poll);
    }
    return !stopped() && !(deadline_ && clock::now() >= *deadline_);
  }

  [[nodiscard]] bool stopped() const { return options_.stop && options_.stop(); }

  messenger& m_;
  const listen_options& options_;
  const listen_handlers& handlers_;
  const reconnect_handlers& events_;
  const std::size_t refill_threshold_;
  std::optional<clock::time_point> deadline_;
  clock::time_point next_kt_check_ = clock::now();  // due at start
  const std::function<void()> check_when_due_ = [this] { check_key_transparency_when_due(); };
  reconnect_backoff backoff_;
  listen_summary summary_;
};

}  // namespace

listen_summary listen_with_reconnects(messenger& m, const listen_options& options,
                                      const listen_handlers& handlers,
                                      const reconnect_handlers& events,
                                      std::size_t refill_threshold) {
  check_prekeys(m, events);
  return reconnecting_listener(m, options, handlers, events, refill_threshold).run();
}

}  // namespace sealpost::client
