// This node's open device WebSockets: routes wake-ups to them, enforces one socket per
// device (a newer one displaces the older), and closes them all at shutdown.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "delivery/wakeup.hpp"

namespace sealpost::delivery {

// What the registry needs of a session; implemented by the WebSocket session. Each call
// must be safe from any thread (the session posts to its own strand).
class device_socket {
 public:
  virtual ~device_socket() = default;
  virtual void wake_messages() = 0;
  virtual void wake_keys_low() = 0;
  virtual void close_with(std::uint16_t code, std::string reason) = 0;
  // Orders connections of one device across nodes: a newer connection has a higher number.
  virtual std::int64_t generation() const = 0;
};

// Close codes the registry uses.
inline constexpr std::uint16_t kReplacedCloseCode = 4409;  // a newer connection of the device
inline constexpr std::uint16_t kRemovedCloseCode = 4403;   // the device or account was removed

class connection_registry {
 public:
  // Registers `socket` for the device; closes (4409) the one it displaces.
  void add(const std::string& account_id, std::int32_t device_id,
           const std::shared_ptr<device_socket>& socket);
  // Removes it, unless it has already been displaced by a newer one.
  void remove(const std::string& account_id, std::int32_t device_id, const device_socket* socket);

  // Hands a wake-up to the device's socket on this node, if it has one: new envelopes,
  // keys low, removed (close), or connected somewhere (close this node's socket of the
  // device if that socket is older).
  void apply(const wakeup& w);
  void wake_all();
  void close_all(std::uint16_t code, const std::string& reason);
  std::size_t size() const;

 private:
  std::shared_ptr<device_socket> find(const std::string& key) const;
  // The sockets still open, to call outside the lock.
  std::vector<std::shared_ptr<device_socket>> live_sockets() const;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::weak_ptr<device_socket>> sockets_;
};

}  // namespace sealpost::delivery
