// The load generator's figures: latency percentiles, error counts, the summary table rows
// and the JSON result line.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "options.hpp"

namespace sealpost::loadtest {

using sclock = std::chrono::steady_clock;

double seconds_since(sclock::time_point t);

// Latencies in microseconds, kept in the order they were added, so the samples of one
// second of progress are the ones after the previous second's count().
class latencies {
 public:
  void add(sclock::duration d);
  std::size_t count() const { return us_.size(); }
  // The q-quantile (0..1) in milliseconds; 0 when there is none.
  double ms(double q) const;
  // The q-quantile in milliseconds of the samples added after the first `first` (those of
  // the latest progress row); none when there is none, which is not a latency of 0.
  std::optional<double> ms_since(std::size_t first, double q) const;
  // {"p50", "p90", "p99", "max"} in milliseconds.
  boost::json::object summary() const;

 private:
  std::vector<std::int64_t> us_;
};

// Errors by kind ("http_503", "io_Connection refused", ...).
using error_counts = std::map<std::string, long>;
boost::json::object to_json(const error_counts& errors);
long total(const error_counts& errors);

// The summary table: its header line, then one row per latency series.
void print_latency_header();
void print_row(const char* name, latencies& l);

// Appends `result` (with the time and --label) to --results and prints it to stdout.
void append_result(const options& o, boost::json::object result);

}  // namespace sealpost::loadtest
