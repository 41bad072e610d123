// A real Prometheus (the `prometheus` binary, Debian's package) scraping a server's admin
// listener once a second, and its query API: for tests of what an operator sees.
#pragma once

#include <sys/types.h>

#include <boost/json/array.hpp>
#include <chrono>
#include <cstdint>
#include <string>

namespace sealpost::testing {

// Prometheus's answer to one instant query (/api/v1/query).
struct prometheus_answer {
  std::string status;       // "success" or "error"; empty when Prometheus did not answer
  std::string error;        // why, when status is not "success"
  std::string result_type;  // "vector", "scalar", ...
  boost::json::array result;
};

class prometheus_server {
 public:
  // Starts Prometheus on a free port with its data in a new temporary folder, scraping
  // 127.0.0.1:`target_port` (job "sealpost") every second. Throws when it cannot start.
  explicit prometheus_server(std::uint16_t target_port);
  // Stops it and removes its folder.
  ~prometheus_server();
  prometheus_server(const prometheus_server&) = delete;
  prometheus_server& operator=(const prometheus_server&) = delete;

  std::uint16_t port() const { return port_; }

  // Evaluates `expr` now. Never throws: an unreachable Prometheus (still starting) is an
  // answer with an empty status.
  prometheus_answer query(const std::string& expr) const;
  // The value of `expr` when it has exactly one series, or -1 when it has none (yet).
  double value(const std::string& expr) const;
  // Waits (up to `timeout`) until value(expr) is `expected`; returns the last value.
  double await_value(const std::string& expr, double expected,
                     std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

  // The end of Prometheus's own log, for a failure message.
  std::string log_tail(std::size_t max_bytes = 4000) const;

 private:
  std::string dir_;  // prometheus.yml, prometheus.log and the TSDB
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace sealpost::testing
