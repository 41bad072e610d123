// The errors of the network layer: the server could not be reached or spoke nonsense
// (transport_error), or it answered with an API error (api_error and its specific kinds).
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace sealpost::client::net {

// The server could not be reached, a request timed out, the connection broke, or the
// answer could not be understood. Nothing says whether a request that failed this way took
// effect on the server.
class transport_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The WebSocket was closed, by the server (with its close code) or by the network.
class connection_closed : public transport_error {
 public:
  connection_closed(std::uint16_t close_code, const std::string& what)
      : transport_error(what), close_code_(close_code) {}
  // The WebSocket close code; 0 when the connection ended without a close frame.
  [[nodiscard]] std::uint16_t close_code() const noexcept { return close_code_; }

 private:
  std::uint16_t close_code_;
};

// The close code the server uses when a newer connection of the same device replaced ours.
inline constexpr std::uint16_t close_code_replaced = 4409;

// An error answer of the API: `status` and the stable snake_case `code` for programs,
// what() for people ("<server message> (HTTP 409 username_taken)").
class api_error : public std::runtime_error {
 public:
  api_error(unsigned status, std::string code, std::string server_message);

  [[nodiscard]] unsigned status() const noexcept { return status_; }
  [[nodiscard]] const std::string& code() const noexcept { return code_; }
  [[nodiscard]] const std::string& server_message() const noexcept { return server_message_; }

 private:
  unsigned status_;
  std::string code_;
  std::string server_message_;
};

// 409 mismatched_devices on a send: the message set did not name exactly the recipient's
// devices (missing ones exist, extra ones do not).
class mismatched_devices_error : public api_error {
 public:
  mismatched_devices_error(std::string server_message, std::vector<std::uint32_t> missing,
                           std::vector<std::uint32_t> extra);
  [[nodiscard]] const std::vector<std::uint32_t>& missing_devices() const noexcept {
    return missing_;
  }
  [[nodiscard]] const std::vector<std::uint32_t>& extra_devices() const noexcept { return extra_; }

 private:
  std::vector<std::uint32_t> missing_;
  std::vector<std::uint32_t> extra_;
};

// 410 stale_devices on a send: these devices were re-registered (registration id differs).
class stale_devices_error : public api_error {
 public:
  stale_devices_error(std::string server_message, std::vector<std::uint32_t> stale);
  [[nodiscard]] const std::vector<std::uint32_t>& stale_devices() const noexcept { return stale_; }

 private:
  std::vector<std::uint32_t> stale_;
};

// 429 rate_limited: try again after retry_after().
class rate_limited_error : public api_error {
 public:
  rate_limited_error(std::string server_message, std::chrono::seconds retry_after);
  [[nodiscard]] std::chrono::seconds retry_after() const noexcept { return retry_after_; }

 private:
  std::chrono::seconds retry_after_;
};

// 401 unauthorized: the device's credentials were refused (wrong password, or the device
// or its account no longer exists).
class unauthorized_error : public api_error {
 public:
  explicit unauthorized_error(std::string server_message);
};

// The exception for an error answer: one of the classes above, chosen by status and code,
// from the response body (the API's {"error", "message", ...} object, or anything else).
// `retry_after` is the Retry-After header value, if any. Never returns.
[[noreturn]] void throw_api_error(unsigned status, const std::string& body,
                                  const std::string& retry_after);

}  // namespace sealpost::client::net
