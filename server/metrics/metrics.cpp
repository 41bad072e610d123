// Metric family definitions and the text serializer for /metrics.
#include "metrics/metrics.hpp"

#include <prometheus/text_serializer.h>

namespace sealpost::metrics {
namespace {

const prometheus::Histogram::BucketBoundaries& latency_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
  return buckets;
}

// Delivery and ack delays: from milliseconds on the local socket to the half minute a
// phone on a bad network may take.
const prometheus::Histogram::BucketBoundaries& delivery_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return buckets;
}

// One family, one series per event, so `sum by (event)` reads as the envelope lifecycle.
prometheus::Counter& envelope_counter(prometheus::Registry& r, const std::string& event) {
  return prometheus::BuildCounter()
      .Name("sealpost_envelopes_total")
      .Help("Envelopes by lifecycle event: enqueued, delivered, acked, expired")
      .Register(r)
      .Add({{"event", event}});
}

prometheus::Counter& key_counter(prometheus::Registry& r, const std::string& name,
                                 const std::string& help, const std::string& kind) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({{"kind", kind}});
}

}  // namespace

registry::registry()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("sealpost_http_requests_total")
                    .Help("HTTP requests by route template, method and status")
                    .Register(*registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("sealpost_http_request_duration_seconds")
                   .Help("HTTP request latency by route template")
                   .Register(*registry_)),
      open_connections_(prometheus::BuildGauge()
                            .Name("sealpost_open_connections")
                            .Help("Open client connections")
                            .Register(*registry_)
                            .Add({})),
      refused_connections_(
          prometheus::BuildCounter()
              .Name("sealpost_connections_refused_total")
              .Help("Connections closed at accept because a cap was full, by config key")
              .Register(*registry_)),
      db_wait_(prometheus::BuildHistogram()
                   .Name("sealpost_db_pool_wait_seconds")
                   .Help("Time a database job waited for a pooled connection")
                   .Register(*registry_)
                   .Add({}, latency_buckets())),
      db_in_use_(prometheus::BuildGauge()
                     .Name("sealpost_db_pool_in_use")
                     .Help("Database connections running a job")
                     .Register(*registry_)
                     .Add({})),
      live_delivery_(prometheus::BuildHistogram()
                         .Name("sealpost_live_delivery_seconds")
                         .Help("From a send's server timestamp to its envelope written to the "
                               "device's open socket, for envelopes sent while the socket was "
                               "open (after QueueEmpty): the wake-up path, across nodes included")
                         .Register(*registry_)
                         .Add({}, delivery_buckets())),
      ack_delay_(prometheus::BuildHistogram()
                     .Name("sealpost_ack_delay_seconds")
                     .Help("From an envelope written to a socket to the device's ack of it "
                           "on that socket")
                     .Register(*registry_)
                     .Add({}, delivery_buckets())),
      db_pool_size_(prometheus::BuildGauge()
                        .Name("sealpost_db_pool_size")
                        .Help("Database connections the pool may open (database.pool_size)")
                        .Register(*registry_)
                        .Add({})),
      ready_(prometheus::BuildGauge()
                 .Name("sealpost_ready")
                 .Help("1 when this node would answer /readyz with 200: the database answers "
                       "and its schema is one this node can serve (checked every 15 s)")
                 .Register(*registry_)
                 .Add({})),
      enqueued_(envelope_counter(*registry_, "enqueued")),
      delivered_(envelope_counter(*registry_, "delivered")),
      acked_(envelope_counter(*registry_, "acked")),
      expired_(envelope_counter(*registry_, "expired")),
      websockets_(prometheus::BuildGauge()
                      .Name("sealpost_open_websockets")
                      .Help("Open authenticated WebSockets")
                      .Register(*registry_)
                      .Add({})),
      query_latency_(prometheus::BuildHistogram()
                         .Name("sealpost_db_query_duration_seconds")
                         .Help("Time a database job held its connection")
                         .Register(*registry_)
                         .Add({}, latency_buckets())),
      ec_claims_(key_counter(*registry_, "sealpost_prekey_claims_total",
                             "One-time prekeys handed out", "ec")),
      pq_claims_(key_counter(*registry_, "sealpost_prekey_claims_total",
                             "One-time prekeys handed out", "pq")),
      ec_pool_empty_(key_counter(*registry_, "sealpost_prekey_pool_empty_total",
                                 "Bundle claims that found a device's one-time pool empty", "ec")),
      pq_pool_empty_(key_counter(*registry_, "sealpost_prekey_pool_empty_total",
                                 "Bundle claims that found a device's one-time pool empty", "pq")),
      last_resort_(prometheus::BuildCounter()
                       .Name("sealpost_prekey_last_resort_served_total")
                       .Help("Bundles that carried the PQ last-resort key")
                       .Register(*registry_)
                       .Add({})),
      delivery_certificates_(prometheus::BuildCounter()
                                 .Name("sealpost_delivery_certificates_issued_total")
                                 .Help("Sealed-sender delivery certificates issued")
                                 .Register(*registry_)
                                 .Add({})),
      auth_failures_(prometheus::BuildCounter()
                         .Name("sealpost_auth_failures_total")
                         .Help("Failed device authentications")
                         .Register(*registry_)
                         .Add({})),
      body_budget_refusals_(prometheus::BuildCounter()
                                .Name("sealpost_http_body_budget_refusals_total")
                                .Help("Requests answered 503 before their body was read because "
                                      "http.max_body_bytes_in_flight was in use")
                                .Register(*registry_)
                                .Add({})),
      wakeup_notifies_(prometheus::BuildCounter()
                           .Name("sealpost_wakeup_notifies_total")
                           .Help("NOTIFY statements this node sent to wake sockets on other "
                                 "nodes (each carries a batch of wake-ups)")
                           .Register(*registry_)
                           .Add({})),
      wakeups_published_(prometheus::BuildCounter()
                             .Name("sealpost_wakeups_published_total")
                             .Help("Wake-ups this node sent to other nodes")
                             .Register(*registry_)
                             .Add({})),
      wakeup_publish_failures_(prometheus::BuildCounter()
                                   .Name("sealpost_wakeup_publish_failures_total")
                                   .Help("Batches of wake-ups whose NOTIFY failed (they are "
                                         "retried)")
                                   .Register(*registry_)
                                   .Add({})),
      rate_limited_(prometheus::BuildCounter()
                        .Name("sealpost_rate_limited_total")
                        .Help("Requests refused with 429, by limiter")
                        .Register(*registry_)),
      queue_total_(
          prometheus::BuildGauge()
              .Name("sealpost_queue_depth_envelopes")
              .Help(
                  "Envelopes queued for all devices (refreshed every metrics.database_refresh_ms)")
              .Register(*registry_)
              .Add({})),
      queue_deepest_(prometheus::BuildGauge()
                         .Name("sealpost_queue_deepest_envelopes")
                         .Help("Envelopes queued for the device with the most (refreshed every "
                               "metrics.database_refresh_ms)")
                         .Register(*registry_)
                         .Add({})),
      devices_low_(
          prometheus::BuildGauge()
              .Name("sealpost_devices_low_on_prekeys")
              .Help("Devices whose one-time prekey pool of this kind holds fewer keys "
                    "than keys.keys_low_watermark (refreshed every metrics.database_refresh_ms)")
              .Register(*registry_)),
      devices_empty_(prometheus::BuildGauge()
                         .Name("sealpost_devices_without_prekeys")
                         .Help("Devices whose one-time prekey pool of this kind is empty "
                               "(refreshed every metrics.database_refresh_ms)")
                         .Register(*registry_)),
      ec_low_(devices_low_.Add({{"kind", "ec"}})),
      pq_low_(devices_low_.Add({{"kind", "pq"}})),
      ec_empty_(devices_empty_.Add({{"kind", "ec"}})),
      pq_empty_(devices_empty_.Add({{"kind", "pq"}})),
      figures_measured_at_(
          prometheus::BuildGauge()
              .Name("sealpost_database_figures_measured_timestamp_seconds")
              .Help("When the database-wide figures this node reports (queue_depth, "
                    "prekey_census) were measured, by whichever node measured them")
              .Register(*registry_)),
      figure_measurements_(prometheus::BuildCounter()
                               .Name("sealpost_database_figure_measurements_total")
                               .Help("Database-wide figures this node measured itself rather "
                                     "than read from the node that measured them last")
                               .Register(*registry_)),
      kt_batches_(prometheus::BuildCounter()
                      .Name("sealpost_kt_sequencer_batches_total")
                      .Help("Key-transparency sequencer batches this node ran, by result: "
                            "published, heartbeat, unchanged, idle, locked (another node's "
                            "batch held the lock), failed")
                      .Register(*registry_)),
      kt_batch_seconds_(prometheus::BuildHistogram()
                            .Name("sealpost_kt_batch_seconds")
                            .Help("Time one sequencer batch took, its transaction included")
                            .Register(*registry_)
                            .Add({}, latency_buckets())),
      kt_tree_size_(prometheus::BuildGauge()
                        .Name("sealpost_kt_tree_size")
                        .Help("Entries in the key-transparency log")
                        .Register(*registry_)
                        .Add({})),
      kt_pending_(prometheus::BuildGauge()
                      .Name("sealpost_kt_pending_labels")
                      .Help("Changed labels waiting for the sequencer")
                      .Register(*registry_)
                      .Add({})),
      kt_newest_age_(prometheus::BuildGauge()
                         .Name("sealpost_kt_newest_entry_age_seconds")
                         .Help("Age of the log's newest entry when this node last looked "
                               "(clients refuse a head older than kt.max_behind_ms)")
                         .Register(*registry_)
                         .Add({})) {
  prometheus::BuildGauge()
      .Name("sealpost_build_info")
      .Help("Build information")
      .Register(*registry_)
      .Add({{"version", SEALPOST_VERSION}})
      .Set(1);
  // Both caps' series from the start, at zero: a rate over them (the dashboard's
  // "Refusals under load") is then 0 rather than absent before the first refusal.
  for (const char* cap : {"max_connections", "max_connections_per_ip"})
    refused_connections_.Add({{"cap", cap}});
}

void registry::observe_request(std::string_view route, std::string_view method, unsigned status,
                               std::chrono::duration<double> latency) {
  requests_
      .Add({{"route", std::string(route)},
            {"method", std::string(method)},
            {"status", std::to_string(status)}})
      .Increment();
  latency_.Add({{"route", std::string(route)}}, latency_buckets()).Observe(latency.count());
}

prometheus::Counter& registry::rate_limited(const std::string& limiter) {
  return rate_limited_.Add({{"limiter", limiter}});
}

std::string registry::serialize() const {
  return prometheus::TextSerializer{}.Serialize(registry_->Collect());
}

}  // namespace sealpost::metrics
