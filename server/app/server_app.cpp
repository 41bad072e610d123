// Start-up order: migrate (waiting for the database), listen, announce, serve, drain on signal.
#include "app/server_app.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <iostream>
#include <thread>

#include "app/database_gauges.hpp"
#include "app/services.hpp"
#include "app/tls.hpp"
#include "auth/authenticator.hpp"
#include "delivery/connection_registry.hpp"
#include "delivery/notification_listener.hpp"
#include "delivery/wakeup_router.hpp"
#include "metrics/metrics.hpp"
#include "model/ids.hpp"
#include "net/listener.hpp"
#include "resources/accounts.hpp"
#include "resources/backup.hpp"
#include "resources/certificates.hpp"
#include "resources/devices.hpp"
#include "resources/health.hpp"
#include "resources/keys.hpp"
#include "resources/kt.hpp"
#include "resources/messages.hpp"
#include "resources/metrics.hpp"
#include "resources/multi_recipient_messages.hpp"
#include "resources/rate_limits.hpp"
#include "resources/unidentified_access.hpp"
#include "resources/websocket.hpp"
#include "sealed_sender/signing_keys.hpp"
#include "storage/account_repository.hpp"
#include "storage/db_pool.hpp"
#include "storage/distribution.hpp"
#include "storage/key_repository.hpp"
#include "storage/message_repository.hpp"
#include "storage/migrations.hpp"
#include "storage/transaction.hpp"
#include "transparency/log_keys.hpp"
#include "transparency/sequencer.hpp"
#include "util/log.hpp"

namespace sealpost::app {
namespace {

namespace asio = boost::asio;

// A Citus node that commits asynchronously loses the commits made just before a shard move
// blocks writes: sends answered 200 that no queue holds afterwards. Said once at start, since
// the operator's fix is a setting (deploy/README.md, "Adding a worker").
void warn_of_async_commit_on_citus(pqxx::connection& conn) {
  try {
    const auto nodes = storage::citus_nodes_committing_async(conn);
    if (nodes.empty())
      return;
    std::string list;
    for (const auto& node : nodes)
      list += (list.empty() ? "" : ",") + node;
    log::warn("citus_async_commit",
              {{"nodes", list},
               {"risk", "a shard move loses commits made just before it blocks writes"},
               {"fix", "synchronous_commit = on on every Citus node"}});
  } catch (const std::exception& e) {
    log::warn("citus_settings_unreadable", {{"what", e.what()}});
  }
}

// Waits for the database (it may still be starting, e.g. under Docker Compose), then
// brings the schema up to date.
void migrate_database(const config::server_config& cfg,
                      std::span<const storage::migration> schema) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(cfg.database_connect_timeout_ms);
  for (;;) {
    try {
      pqxx::connection conn(cfg.database_url);
      storage::migrate_for_node(conn, schema);
      const auto state = storage::read_schema_state(conn);
      log::info("schema_ready", {{"schema_version", state.version},
                                 {"node_schema_version", storage::latest_version(schema)}});
      warn_of_async_commit_on_citus(conn);
      return;
    } catch (const pqxx::broken_connection& e) {
      if (std::chrono::steady_clock::now() >= deadline)
        throw;
      log::warn("database_unavailable", {{"what", e.what()}});
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }
}

// On SIGTERM/SIGINT: stop accepting, let in-flight requests finish within the grace period,
// then stop the io_context.
asio::awaitable<void> shutdown_on_signal(asio::io_context& ioc, const config::server_config& cfg,
                                         net::lifecycle& life,
                                         delivery::connection_registry& sockets,
                                         std::vector<asio::ip::tcp::acceptor*> acceptors) {
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  auto [ec, signo] = co_await signals.async_wait(asio::as_tuple(asio::use_awaitable));
  log::info("shutdown_started", {{"signal", signo}, {"in_flight", life.in_flight()}});
  life.begin_stopping();
  for (auto* acceptor : acceptors) {
    boost::system::error_code ignored;
    acceptor->close(ignored);
  }
  // Clients reconnect to another node (or to us after the restart).
  sockets.close_all(1012, "service restart");
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(cfg.shutdown_grace_ms);
  asio::steady_timer tick(ioc);
  while (life.in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
    tick.expires_after(std::chrono::milliseconds(10));
    co_await tick.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  log::info("shutdown_finished", {{"abandoned_requests", life.in_flight()}});
  ioc.stop();
}

// Deletes expired envelopes in batches, once a minute, on every node (batches are small,
// so nodes do not get in each other's way), and expired link tokens.
asio::awaitable<void> purge_expired_rows(storage::db_pool& db, metrics::registry& metrics) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    try {
      std::size_t purged = 0;
      do {
        purged = co_await storage::in_transaction(
            db, [](pqxx::work& tx) { return storage::purge_expired(tx, 1000); });
        metrics.envelopes_expired(purged);
      } while (purged == 1000);
      co_await storage::in_transaction(
          db, [](pqxx::work& tx) { return storage::purge_expired_link_tokens(tx); });
    } catch (const std::exception& e) {
      log::warn("purge_failed", {{"what", e.what()}});
    }
    timer.expires_after(std::chrono::minutes(1));
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec)
      co_return;
  }
}

std::string http_url(const asio::ip::tcp::acceptor& acceptor, bool tls = false) {
  const auto ep = acceptor.local_endpoint();
  return (tls ? "https://" : "http://") +
         config::listen_address{ep.address().to_string(), ep.port()}.to_string();
}

// The sealed-sender keys, or none when sealed sender is off. Auto mode reads (or, on the
// first start of a deployment, makes) the row every node shares.
std::optional<sealed_sender::signing_keys> load_sealed_sender_keys(
    const config::server_config& cfg) {
  if (!cfg.sealed_sender_enabled)
    return std::nullopt;
  pqxx::connection conn(cfg.database_url);
  auto keys = sealed_sender::keys_for_node(cfg, conn);
  log::info(
      "sealed_sender_keys",
      {{"key_id", keys.key_id}, {"mode", sealed_sender::uses_key_files(cfg) ? "files" : "auto"}});
  return keys;
}

// The key-transparency log's keys, or none when kt.enabled is off. The first node of a
// deployment creates the log (and, in auto mode, its keys).
std::optional<transparency::log_keys> load_kt_keys(const config::server_config& cfg) {
  if (!cfg.kt_enabled)
    return std::nullopt;
  pqxx::connection conn(cfg.database_url);
  auto keys = transparency::keys_for_node(cfg, conn);
  log::info("kt_keys", {{"mode", transparency::uses_key_files(cfg) ? "files" : "auto"}});
  return keys;
}

}  // namespace

int run_server(const config::server_config& cfg, std::span<const storage::migration> schema) {
  auto tls = make_tls_context(cfg);  // fail fast on bad certificate files, before migrating
  if (cfg.sealed_sender_enabled && sealed_sender::uses_key_files(cfg))
    sealed_sender::load_key_files(cfg);  // the same, for the sealed-sender key files
  migrate_database(cfg, schema);
  const auto sealed_sender_keys = load_sealed_sender_keys(cfg);
  const auto kt_keys = load_kt_keys(cfg);
  const auto node_schema_version = storage::latest_version(schema);

  const std::size_t threads =
      cfg.threads != 0 ? cfg.threads : std::max(1U, std::thread::hardware_concurrency());
  asio::io_context ioc(static_cast<int>(threads));
  metrics::registry metrics;
  storage::db_pool db(cfg.database_url, cfg.database_pool_size,
                      std::chrono::milliseconds(cfg.database_statement_timeout_ms), &metrics);
  net::lifecycle life;

  app::rate_limiters limits(cfg, metrics);
  auth::authenticator authenticator(db, std::chrono::milliseconds(cfg.auth_cache_ttl_ms),
                                    limits.auth_failure_per_ip, metrics);
  // Real-time delivery: this node's sockets, woken in-process by its own sends and through
  // NOTIFY by other nodes'.
  const std::string node_id = model::new_node_id();
  delivery::connection_registry sockets;
  delivery::wakeup_router wakeups(ioc.get_executor(), db, sockets, node_id,
                                  std::chrono::milliseconds(cfg.wakeup_batch_ms), metrics);
  delivery::notification_listener listener(
      cfg.database_url, node_id,
      [&wakeups](const std::string& payload) { wakeups.received(payload); },
      [&wakeups] { wakeups.listener_connected(); });
  // Every node runs the sequencer; the advisory lock lets one batch run at a time.
  transparency::publication_watch kt_published;
  std::optional<transparency::sequencer> kt_sequencer;
  if (kt_keys)
    kt_sequencer.emplace(cfg.database_url, node_id, *kt_keys, cfg, metrics, kt_published);
  app::services services{cfg,
                         db,
                         authenticator,
                         limits,
                         metrics,
                         wakeups,
                         sealed_sender_keys ? &*sealed_sender_keys : nullptr,
                         kt_keys ? &*kt_keys : nullptr,
                         &kt_published};

  net::router public_routes;
  resources::register_health_routes(public_routes, db, node_schema_version);
  resources::register_account_routes(public_routes, services);
  resources::register_device_routes(public_routes, services);
  resources::register_key_routes(public_routes, services);
  resources::register_backup_routes(public_routes, services);
  resources::register_message_routes(public_routes, services);
  resources::register_multi_recipient_routes(public_routes, services);
  resources::register_certificate_routes(public_routes, services);
  resources::register_unidentified_access_routes(public_routes, services);
  resources::register_kt_routes(public_routes, services);

  net::body_budget bodies(cfg.http_max_body_bytes_in_flight);
  net::session_env public_env{
      .cfg = cfg,
      .routes = public_routes,
      .life = life,
      .metrics = metrics,
      .upgrade = resources::make_websocket_handler({services, sockets, life, node_id}),
      .tls = tls.get(),
      .max_connections_per_ip = cfg.http_max_connections_per_ip,
      .authenticate =
          [&authenticator](std::string_view authorization, const asio::ip::address& client) {
            return authenticator.authenticate(authorization, client);
          },
      .bodies = &bodies,
      .admit_unidentified =
          cfg.sealed_sender_enabled
              ? net::unidentified_admission([&limits](const asio::ip::address& a) {
                  resources::enforce(limits.unidentified_messages_per_ip, a.to_string());
                })
              : net::unidentified_admission{}};

  net::router admin_routes;
  resources::register_health_routes(admin_routes, db, node_schema_version);
  resources::register_metrics_routes(admin_routes, metrics);
  if (cfg.kt_audit_feed == "admin")
    resources::register_kt_audit_route(admin_routes, services, false);

  auto public_acceptor = net::open_acceptor(ioc.get_executor(), cfg.listen, "listen");
  auto admin_acceptor = net::open_acceptor(ioc.get_executor(), cfg.admin_listen, "admin_listen");

  asio::co_spawn(ioc, net::accept_loop(public_acceptor, public_env), asio::detached);
  wakeups.start();
  asio::co_spawn(ioc, purge_expired_rows(db, metrics), asio::detached);
  asio::co_spawn(ioc, refresh_database_gauges(db, metrics, node_schema_version, cfg),
                 asio::detached);
  asio::co_spawn(ioc, net::accept_loop(admin_acceptor, {cfg, admin_routes, life, metrics}),
                 asio::detached);
  asio::co_spawn(ioc,
                 shutdown_on_signal(ioc, cfg, life, sockets, {&public_acceptor, &admin_acceptor}),
                 asio::detached);

  std::cout << "sealpost-server listening on " << http_url(public_acceptor, tls != nullptr)
            << " (admin " << http_url(admin_acceptor) << ")" << std::endl;
  log::info("listening", {{"public", http_url(public_acceptor, tls != nullptr)},
                          {"admin", http_url(admin_acceptor)},
                          {"threads", threads}});

  std::vector<std::thread> pool;
  for (std::size_t i = 1; i < threads; ++i)
    pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool)
    t.join();
  listener.stop();
  if (kt_sequencer)
    kt_sequencer->stop();
  db.stop();
  return 0;
}

}  // namespace sealpost::app
