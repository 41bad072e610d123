// Registry operations. Calls into sessions happen outside the lock (on a snapshot), since
// sessions may call back into the registry.
#include "delivery/connection_registry.hpp"

#include <vector>

namespace sealpost::delivery {
namespace {

std::string key_of(const std::string& account_id, std::int32_t device_id) {
  return account_id + " " + std::to_string(device_id);
}

}  // namespace

void connection_registry::add(const std::string& account_id, std::int32_t device_id,
                              const std::shared_ptr<device_socket>& socket) {
  std::shared_ptr<device_socket> displaced;
  {
    std::lock_guard lock(mutex_);
    auto& slot = sockets_[key_of(account_id, device_id)];
    displaced = slot.lock();
    slot = socket;
  }
  if (displaced)
    displaced->close_with(kReplacedCloseCode, "replaced by a newer connection");
}

void connection_registry::remove(const std::string& account_id, std::int32_t device_id,
                                 const device_socket* socket) {
  std::lock_guard lock(mutex_);
  auto it = sockets_.find(key_of(account_id, device_id));
  if (it == sockets_.end())
    return;
  auto current = it->second.lock();
  if (!current || current.get() == socket)
    sockets_.erase(it);
}

std::shared_ptr<device_socket> connection_registry::find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = sockets_.find(key);
  return it == sockets_.end() ? nullptr : it->second.lock();
}

void connection_registry::apply(const wakeup& w) {
  auto socket = find(key_of(w.account_id, w.device_id));
  if (!socket)
    return;
  switch (w.kind) {
    case wakeup_kind::messages:
      socket->wake_messages();
      break;
    case wakeup_kind::keys_low:
      socket->wake_keys_low();
      break;
    case wakeup_kind::removed:
      socket->close_with(kRemovedCloseCode, "device removed");
      break;
    case wakeup_kind::connected:
      // Another node (or this one) accepted a connection for this device. Notifications
      // can arrive late, after a newer connection has registered here: only an older
      // socket gives way, so the newest connection of a device always survives.
      if (socket->generation() < w.generation)
        socket->close_with(kReplacedCloseCode, "replaced by a newer connection");
      break;
  }
}

std::vector<std::shared_ptr<device_socket>> connection_registry::live_sockets() const {
  std::vector<std::shared_ptr<device_socket>> live;
  std::lock_guard lock(mutex_);
  for (const auto& [key, weak] : sockets_) {
    if (auto s = weak.lock())
      live.push_back(std::move(s));
  }
  return live;
}

void connection_registry::wake_all() {
  for (auto& s : live_sockets())
    s->wake_messages();
}

void connection_registry::close_all(std::uint16_t code, const std::string& reason) {
  for (auto& s : live_sockets())
    s->close_with(code, reason);
}

std::size_t connection_registry::size() const {
  std::lock_guard lock(mutex_);
  return sockets_.size();
}

}  // namespace sealpost::delivery
