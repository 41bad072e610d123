// LISTEN loop with reconnects.
#include "delivery/notification_listener.hpp"

#include <chrono>
#include <pqxx/pqxx>

#include "storage/notifications.hpp"
#include "util/log.hpp"

namespace sealpost::delivery {
namespace {

class receiver : public pqxx::notification_receiver {
 public:
  receiver(pqxx::connection_base& conn, const notification_listener::on_payload& callback)
      : pqxx::notification_receiver(conn, storage::kNotifyChannel), callback_(callback) {}
  void operator()(const std::string& payload, int /*backend_pid*/) override { callback_(payload); }

 private:
  const notification_listener::on_payload& callback_;
};

}  // namespace

notification_listener::notification_listener(std::string database_url, std::string node_id,
                                             on_payload payload, on_connected connected)
    : url_(std::move(database_url)),
      node_id_(std::move(node_id)),
      payload_(std::move(payload)),
      connected_(std::move(connected)),
      thread_([this] { run(); }) {}

notification_listener::~notification_listener() {
  stop();
}

void notification_listener::stop() {
  stopping_ = true;
  if (thread_.joinable())
    thread_.join();
}

void notification_listener::run() {
  while (!stopping_) {
    try {
      listen_until_broken();
    } catch (const std::exception& e) {
      log::warn("listen_connection_lost", {{"what", e.what()}});
    }
    // Back off briefly; a down database is retried until it returns.
    for (int i = 0; i < 5 && !stopping_; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void notification_listener::listen_until_broken() {
  pqxx::connection conn(url_);
  {
    pqxx::nontransaction tx(conn);
    // Named, so operators (and tests) can find this node's listener in pg_stat_activity.
    tx.exec("SET application_name = " + tx.quote("sealpost-listener " + node_id_));
  }
  receiver r(conn, payload_);
  conn.get_notifs();  // makes LISTEN take effect now, not at the first wait
  log::info("listening_for_notifications", {{"node_id", node_id_}});
  // Anything committed while we were not listening is found by re-checking every queue.
  connected_();
  while (!stopping_) {
    conn.await_notification(0, 500000);
    if (!conn.is_open())
      throw pqxx::broken_connection("listen connection closed");
  }
}

}  // namespace sealpost::delivery
