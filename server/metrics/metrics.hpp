// The process's Prometheus registry and the metric families every layer reports into.
// Labels carry route templates, methods and statuses, never ids of accounts or devices.
#pragma once

#include <chrono>
#include <memory>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <string>
#include <string_view>

namespace sealpost::metrics {

class registry {
 public:
  registry();

  void observe_request(std::string_view route, std::string_view method, unsigned status,
                       std::chrono::duration<double> latency);
  void connection_opened() { open_connections_.Increment(); }
  void connection_closed() { open_connections_.Decrement(); }
  void observe_db_wait(std::chrono::duration<double> wait) { db_wait_.Observe(wait.count()); }
  void db_in_use(double n) { db_in_use_.Set(n); }
  void envelopes_enqueued(std::size_t n) { enqueued_.Increment(static_cast<double>(n)); }
  void envelopes_delivered(std::size_t n) { delivered_.Increment(static_cast<double>(n)); }
  void envelopes_acked(std::size_t n) { acked_.Increment(static_cast<double>(n)); }
  void envelopes_expired(std::size_t n) { expired_.Increment(static_cast<double>(n)); }
  void websocket_opened() { websockets_.Increment(); }
  void websocket_closed() { websockets_.Decrement(); }

  // The Prometheus text exposition of every metric.
  std::string serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Gauge& open_connections_;
  prometheus::Histogram& db_wait_;
  prometheus::Gauge& db_in_use_;
  prometheus::Counter& enqueued_;
  prometheus::Counter& delivered_;
  prometheus::Counter& acked_;
  prometheus::Counter& expired_;
  prometheus::Gauge& websockets_;
};

}  // namespace sealpost::metrics
