#include "delivery/wakeup_router.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "metrics/metrics.hpp"
#include "storage/db_pool.hpp"
#include "storage/notifications.hpp"
#include "util/log.hpp"

namespace sealpost::delivery {
namespace {

namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// How long a batch whose NOTIFY failed waits before the next try.
constexpr std::chrono::milliseconds kRetryDelay(200);

}  // namespace

wakeup_router::wakeup_router(asio::any_io_executor executor, storage::db_pool& db,
                             connection_registry& sockets, std::string node_id,
                             std::chrono::milliseconds batch_delay, metrics::registry& metrics)
    : strand_(asio::make_strand(std::move(executor))),
      db_(db),
      sockets_(sockets),
      node_id_(std::move(node_id)),
      batch_delay_(batch_delay),
      metrics_(metrics),
      signal_(strand_) {}

void wakeup_router::publish(wakeup w) {
  sockets_.apply(w);
  std::lock_guard lock(mutex_);
  if (!pending_lines_.insert(encode_wakeup(w)).second)
    return;
  pending_.push_back(std::move(w));
  if (idle_) {
    idle_ = false;
    asio::post(strand_, [this] { signal_.cancel(); });
  }
}

void wakeup_router::received(std::string_view payload) {
  auto parsed = parse_wakeups(payload);
  if (parsed.origin_node == node_id_)
    return;
  for (const auto& w : parsed.wakeups)
    sockets_.apply(w);
}

void wakeup_router::listener_connected() {
  sockets_.wake_all();
}

std::vector<wakeup> wakeup_router::take_batch() {
  std::lock_guard lock(mutex_);
  pending_lines_.clear();
  return std::exchange(pending_, {});
}

void wakeup_router::put_back(std::vector<wakeup> batch) {
  std::lock_guard lock(mutex_);
  for (auto& w : batch) {
    if (pending_lines_.insert(encode_wakeup(w)).second)
      pending_.push_back(std::move(w));
  }
}

void wakeup_router::start() {
  asio::co_spawn(strand_, run(), asio::detached);
}

asio::awaitable<void> wakeup_router::run() {
  for (;;) {
    bool idle = false;
    {
      std::lock_guard lock(mutex_);
      idle = idle_ = pending_.empty();
    }
    // publish() cancels the wait by a handler posted to our strand, which cannot run
    // before this wait is registered: no wake-up slips between the check and the wait.
    if (idle) {
      signal_.expires_at(asio::steady_timer::time_point::max());
      co_await signal_.async_wait(use_tuple);
      continue;
    }
    if (batch_delay_.count() > 0) {
      signal_.expires_after(batch_delay_);
      co_await signal_.async_wait(use_tuple);
    }
    auto batch = take_batch();
    if (!co_await send(batch)) {
      put_back(std::move(batch));
      signal_.expires_after(kRetryDelay);
      co_await signal_.async_wait(use_tuple);
    }
  }
}

asio::awaitable<bool> wakeup_router::send(const std::vector<wakeup>& batch) {
  const auto payloads = encode_wakeups(node_id_, batch);
  try {
    co_await db_.run(
        [&payloads](pqxx::connection& conn) { storage::notify_unflushed(conn, payloads); });
    metrics_.wakeups_published(batch.size());
    co_return true;
  } catch (const std::exception& e) {
    // The database is away: so are the other nodes' listeners, which re-check their
    // sockets when they reconnect. The batch is kept and tried again anyway.
    log::warn("wakeup_publish_failed", {{"what", e.what()}, {"wakeups", batch.size()}});
    metrics_.wakeup_publish_failed();
    co_return false;
  }
}

}  // namespace sealpost::delivery
