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

}  // namespace sealpost::client
