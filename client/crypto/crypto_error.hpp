// The exception every crypto function throws when OpenSSL itself fails (never for bad input).
#pragma once

#include <stdexcept>
#include <string_view>

namespace sealpost::client::crypto {

// An internal failure: allocation, a provider missing, an OpenSSL call that cannot fail on
// valid arguments. Authentication failures (bad tag, bad signature, low-order point) are
// ordinary results, never this exception. Constructing one drains OpenSSL's error queue
// into the message so later calls start from a clean queue.
class crypto_error : public std::runtime_error {
 public:
  explicit crypto_error(std::string_view operation);
};

}  // namespace sealpost::client::crypto
