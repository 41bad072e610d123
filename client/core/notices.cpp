// describe(notice): a notice as a sentence for people.
#include "core/notices.hpp"

namespace sealpost::client {

std::string describe(const notice& n) {
  const std::string who = n.username.empty() ? "account " + n.account_id : n.username;
  const std::string device = n.device_id != 0 ? " device " + std::to_string(n.device_id) : "";
  switch (n.what) {
    case notice::kind::identity_changed:
      return "the safety number with " + who + " changed" +
             (n.device_id != 0 ? " (" + device.substr(1) + ")" : std::string()) +
             (n.detail.empty() ? std::string() : ": " + n.detail) +
             "; compare it and verify before sending again";
    case notice::kind::new_device:
      return who + " has a new device:" + device;
    case notice::kind::device_removed:
      return who + " removed" + device;
    case notice::kind::undecryptable:
      return "a message from " + who + device + " could not be decrypted (" + n.detail +
             ") and was dropped";
    case notice::kind::sealed_refused:
      return "a sealed message was dropped: " + n.detail;
    case notice::kind::prekeys_uploaded:
      return "uploaded " + n.detail + " new one-time prekeys";
  }
  return n.detail;
}

}  // namespace sealpost::client
