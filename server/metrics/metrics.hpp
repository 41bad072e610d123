// The process's Prometheus registry and the metric families every layer reports into.
// Labels carry route templates, methods and statuses, never ids of accounts or devices.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <memory>
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
  // A connection closed at accept because a cap was full; `cap` names the config key.
  void connection_refused(const std::string& cap) {
    refused_connections_.Add({{"cap", cap}}).Increment();
  }
  void observe_db_wait(std::chrono::duration<double> wait) { db_wait_.Observe(wait.count()); }
  void db_in_use(double n) { db_in_use_.Set(n); }
  void db_pool_size(double n) { db_pool_size_.Set(n); }
  void observe_live_delivery(std::chrono::duration<double> d) { live_delivery_.Observe(d.count()); }
  void observe_ack_delay(std::chrono::duration<double> d) { ack_delay_.Observe(d.count()); }
  void ready(bool yes) { ready_.Set(yes ? 1 : 0); }
  void envelopes_enqueued(std::size_t n) { enqueued_.Increment(static_cast<double>(n)); }
  void envelopes_delivered(std::size_t n) { delivered_.Increment(static_cast<double>(n)); }
  void envelopes_acked(std::size_t n) { acked_.Increment(static_cast<double>(n)); }
  void envelopes_expired(std::size_t n) { expired_.Increment(static_cast<double>(n)); }
  void observe_query(std::chrono::duration<double> d) { query_latency_.Observe(d.count()); }
  void key_claimed(bool pq) { (pq ? pq_claims_ : ec_claims_).Increment(); }
  void key_pool_empty(bool pq) { (pq ? pq_pool_empty_ : ec_pool_empty_).Increment(); }
  void last_resort_served() { last_resort_.Increment(); }
  void delivery_certificate_issued() { delivery_certificates_.Increment(); }
  void auth_failed() { auth_failures_.Increment(); }
  // A request answered 503 because http.max_body_bytes_in_flight was in use.
  void body_budget_refused() { body_budget_refusals_.Increment(); }
  void wakeups_published(std::size_t wakeups) {
    wakeup_notifies_.Increment();
    wakeups_published_.Increment(static_cast<double>(wakeups));
  }
  void wakeup_publish_failed() { wakeup_publish_failures_.Increment(); }
  // The counter a rate limiter bumps for each refusal.
  prometheus::Counter& rate_limited(const std::string& limiter);
  void queue_depth(double total, double deepest) {
    queue_total_.Set(total);
    queue_deepest_.Set(deepest);
  }
  // Devices whose one-time pools hold fewer keys than keys.keys_low_watermark, and none.
  void devices_low_on_prekeys(double ec_low, double pq_low, double ec_empty, double pq_empty) {
    ec_low_.Set(ec_low);
    pq_low_.Set(pq_low);
    ec_empty_.Set(ec_empty);
    pq_empty_.Set(pq_empty);
  }
  // Figures shared through the database (storage/database_figures.hpp): when the figures
  // this node reports were measured (by whichever node), and whether this node measured them.
  void database_figures(const std::string& figure, double measured_at, bool measured_here) {
    figures_measured_at_.Add({{"figure", figure}}).Set(measured_at);
    auto& measurements = figure_measurements_.Add({{"figure", figure}});
    if (measured_here)
      measurements.Increment();
  }
  // Key transparency: one sequencer batch (`result` as transparency::to_string names it),
  // and the log's state as the batch saw it.
  void kt_batch(const std::string& result, std::chrono::duration<double> took) {
    kt_batches_.Add({{"result", result}}).Increment();
    kt_batch_seconds_.Observe(took.count());
  }
  void kt_log_state(double tree_size, double pending_labels, double newest_entry_age_seconds) {
    kt_tree_size_.Set(tree_size);
    kt_pending_.Set(pending_labels);
    kt_newest_age_.Set(newest_entry_age_seconds);
  }
  void websocket_opened() { websockets_.Increment(); }
  void websocket_closed() { websockets_.Decrement(); }

  // The Prometheus text exposition of every metric.
  std::string serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Gauge& open_connections_;
  prometheus::Family<prometheus::Counter>& refused_connections_;
  prometheus::Histogram& db_wait_;
  prometheus::Gauge& db_in_use_;
  prometheus::Histogram& live_delivery_;
  prometheus::Histogram& ack_delay_;
  prometheus::Gauge& db_pool_size_;
  prometheus::Gauge& ready_;
  prometheus::Counter& enqueued_;
  prometheus::Counter& delivered_;
  prometheus::Counter& acked_;
  prometheus::Counter& expired_;
  prometheus::Gauge& websockets_;
  prometheus::Histogram& query_latency_;
  prometheus::Counter& ec_claims_;
  prometheus::Counter& pq_claims_;
  prometheus::Counter& ec_pool_empty_;
  prometheus::Counter& pq_pool_empty_;
  prometheus::Counter& last_resort_;
  prometheus::Counter& delivery_certificates_;
  prometheus::Counter& auth_failures_;
  prometheus::Counter& body_budget_refusals_;
  prometheus::Counter& wakeup_notifies_;
  prometheus::Counter& wakeups_published_;
  prometheus::Counter& wakeup_publish_failures_;
  prometheus::Family<prometheus::Counter>& rate_limited_;
  prometheus::Gauge& queue_total_;
  prometheus::Gauge& queue_deepest_;
  prometheus::Family<prometheus::Gauge>& devices_low_;
  prometheus::Family<prometheus::Gauge>& devices_empty_;
  prometheus::Gauge& ec_low_;
  prometheus::Gauge& pq_low_;
  prometheus::Gauge& ec_empty_;
  prometheus::Gauge& pq_empty_;
  prometheus::Family<prometheus::Gauge>& figures_measured_at_;
  prometheus::Family<prometheus::Counter>& figure_measurements_;
  prometheus::Family<prometheus::Counter>& kt_batches_;
  prometheus::Histogram& kt_batch_seconds_;
  prometheus::Gauge& kt_tree_size_;
  prometheus::Gauge& kt_pending_;
  prometheus::Gauge& kt_newest_age_;
};

}  // namespace sealpost::metrics
