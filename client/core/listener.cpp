// One WebSocket's listen loop: bounded waits so that stop() and the duration are honoured,
// bursts of deliveries processed as one batch, then the signals that followed them.
#include "core/listener.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sealpost::client {
namespace {

constexpr std::size_t listen_batch = 100;
constexpr std::chrono::milliseconds tick(250);  // how often stop() is polled

// What one burst of frames brought: deliveries, then the signals that ended the burst.
struct burst {
  std::vector<net::envelope> envelopes;
  std::vector<net::server_frame> signals;
};

class socket_listener {
 public:
  socket_listener(messenger& m, net::websocket_client& socket, const listen_options& options,
                  const listen_handlers& handlers, std::size_t refill_threshold,
                  listen_summary& summary, const std::function<void()>& between_frames)
      : m_(m),
        socket_(socket),
        options_(options),
        handlers_(handlers),
        refill_threshold_(refill_threshold),
        summary_(summary),
        between_frames_(between_frames) {}

  void run() {
    for (;;) {
      if (between_frames_) {
        between_frames_();
      }
      const std::optional<std::chrono::milliseconds> wait = next_wait();
      if (!wait) {
        return;
      }
      std::optional<net::server_frame> frame = socket_.receive(*wait);
      if (!frame) {
        continue;
      }
      const burst b = read_burst(std::move(*frame));
      if (!b.envelopes.empty()) {
        process(b.envelopes);
      }
      if (handle_signals(b.signals)) {
        return;
      }
    }
  }

 private:
  // How long to wait for the next frame, or nullopt once stopped or out of time.
  std::optional<std::chrono::milliseconds> next_wait() const {
    if (options_.stop && options_.stop()) {
      return std::nullopt;
    }
    if (options_.duration.count() <= 0) {
      return tick;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        start_ + options_.duration - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return std::nullopt;
    }
    return std::min(tick, left);
  }

  // `first` and the frames already waiting after it, up to a batch of deliveries; a signal
  // ends the burst, so that the batch is handled before what follows it.
  burst read_burst(net::server_frame first) {
    burst b;
    std::optional<net::server_frame> frame = std::move(first);
    while (frame) {
      if (auto* e = std::get_if<net::envelope>(&*frame)) {
        b.envelopes.push_back(std::move(*e));
      } else {
        b.signals.push_back(std::move(*frame));
        break;
      }
      if (b.envelopes.size() >= listen_batch) {
        break;
      }
      frame = socket_.receive(std::chrono::milliseconds(0));
    }
    return b;
  }

  // process() saves the state before it returns, so acking cannot lose a message.
  void process(const std::vector<net::envelope>& envelopes) {
    const receive_result result = m_.process(envelopes);
    socket_.ack(result.acks);
    summary_.messages += result.messages.size();
    summary_.duplicates += result.duplicates;
    for (const notice& n : result.notices) {
      report(n);
    }
    if (handlers_.on_message) {
      for (const received_message& message : result.messages) {
        handlers_.on_message(message);
      }
    }
  }

  // True when listening should end (the backlog is done and that was what we waited for).
  bool handle_signals(const std::vector<net::server_frame>& signals) {
    for (const net::server_frame& signal : signals) {
      if (const auto* low = std::get_if<net::keys_low>(&signal)) {
        top_up_prekeys(*low);
      } else if (std::holds_alternative<net::queue_empty>(signal)) {
        summary_.queue_empty_seen = true;
        if (handlers_.on_queue_empty) {
          handlers_.on_queue_empty();
        }
        if (options_.until_queue_empty) {
          return true;
        }
      }
    }
    return false;
  }

  void top_up_prekeys(const net::keys_low& low) {
    // KeysLow also comes when only the PQ pool is low; this client has no PQ keys, so only
    // its EC pool decides.
    if (low.one_time_prekeys >= refill_threshold_) {
      return;
    }
    const std::size_t uploaded = m_.replenish_prekeys();
    if (uploaded > 0) {
      report(notice{notice::kind::prekeys_uploaded, m_.account_id(), m_.username(), m_.device_id(),
                    std::to_string(uploaded)});
    }
  }

  void report(const notice& n) const {
    if (handlers_.on_notice) {
      handlers_.on_notice(n);
    }
  }

  messenger& m_;
  net::websocket_client& socket_;
  const listen_options& options_;
  const listen_handlers& handlers_;
  const std::size_t refill_threshold_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  listen_summary& summary_;
  const std::function<void()>& between_frames_;
};

}  // namespace

void listen_on_socket(messenger& m, net::websocket_client& socket, const listen_options& options,
                      const listen_handlers& handlers, std::size_t refill_threshold,
                      listen_summary& summary, const std::function<void()>& between_frames) {
  socket_listener(m, socket, options, handlers, refill_threshold, summary, between_frames).run();
}

}  // namespace sealpost::client
