#include "xeddsa/openssl_check.hpp"

#include <openssl/err.h>

#include <array>
#include <stdexcept>
#include <string>

namespace sealpost::ossl {

void throw_openssl_error(const char* operation) {
  const unsigned long code = ERR_get_error();
  std::array<char, 256> text{};
  ERR_error_string_n(code, text.data(), text.size());
  ERR_clear_error();
  throw std::runtime_error(std::string(operation) + " failed: " + text.data());
}

}  // namespace sealpost::ossl
