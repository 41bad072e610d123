// Who sent a request: the device its credentials name, once they have been checked.
#pragma once

#include <cstdint>
#include <string>

namespace sealpost::net {

struct authenticated_device {
  std::string account_id;
  std::int32_t device_id = 0;
  bool is_primary() const { return device_id == 1; }
};

}  // namespace sealpost::net
