// The client library's own errors: sentences that tell people what to do.
#include "core/errors.hpp"

namespace sealpost::client {

identity_changed_error::identity_changed_error(std::string contact,
                                               std::vector<std::uint32_t> devices)
    : std::runtime_error("the safety number with " + contact +
                         " changed; nothing was sent. Compare the new safety number with " +
                         contact + " and verify it before sending again"),
      contact_(std::move(contact)),
      devices_(std::move(devices)) {}

trust_root_changed_error::trust_root_changed_error()
    : std::runtime_error(
          "the server's sealed-sender certificates are not signed by the trust root this device "
          "pinned: either the operator replaced the root, or someone is answering in the "
          "server's name and could learn who you write to. Nothing was sent. Ask the operator; "
          "if the root was replaced on purpose, run `sealpost privacy --pin-new-root`") {}

kt_device_unverified_error::kt_device_unverified_error(const std::string& contact,
                                                       const std::string& reason)
    : std::runtime_error("Sealpost could not verify " + contact +
                         "'s devices against the key directory (kt_device_unverified: " + reason +
                         ")"),
      contact_(contact) {}

kt_log_failure_error::kt_log_failure_error(const std::string& failure)
    : std::runtime_error("key transparency failure: " + failure +
                         "; no new device of anyone is trusted until `sealpost kt check` "
                         "passes") {}

}  // namespace sealpost::client
