// A client error raised while handling a request (bad body, failed auth, limit hit). The
// dispatcher catches it and answers with its api_error; it never means a server fault.
#pragma once

#include <exception>
#include <utility>

#include "net/api_error.hpp"

namespace sealpost::net {

class request_error : public std::exception {
 public:
  explicit request_error(api_error err) : err_(std::move(err)) {}
  request_error(api_errc code, std::string error, std::string message)
      : err_{code, std::move(error), std::move(message)} {}

  const api_error& error() const noexcept { return err_; }
  const char* what() const noexcept override { return err_.message.c_str(); }

 private:
  api_error err_;
};

}  // namespace sealpost::net
