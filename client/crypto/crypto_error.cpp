// Builds crypto_error messages from OpenSSL's thread-local error queue.
#include "crypto/crypto_error.hpp"

#include <openssl/err.h>

#include <array>
#include <string>

namespace sealpost::client::crypto {
namespace {

// Takes every queued error so that stale entries never leak into a later failure's text.
std::string drain_error_queue() {
  std::string text;
  for (unsigned long code = ERR_get_error(); code != 0; code = ERR_get_error()) {
    std::array<char, 256> buffer{};
    ERR_error_string_n(code, buffer.data(), buffer.size());
    text += text.empty() ? ": " : "; ";
    text += buffer.data();
  }
  return text;
}

std::string describe(std::string_view operation) {
  std::string message = "OpenSSL failure in ";
  message += operation;
  message += drain_error_queue();
  return message;
}

}  // namespace

crypto_error::crypto_error(std::string_view operation) : std::runtime_error(describe(operation)) {}

}  // namespace sealpost::client::crypto
