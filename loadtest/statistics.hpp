// The load generator's figures: latency percentiles, error counts, the summary table rows
// and the JSON result line.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "options.hpp"

namespace sealpost::loadtest {

using sclock = std::chrono::steady_clock;

double seconds_since(sclock::time_point t);

// Latencies in microseconds; percentiles at the end.
class latencies {
 public:
  void add(sclock::duration d);
  std::size_t count() const { return us_.size(); }
  // The q-quantile (0..1) in milliseconds; 0 when there is none. Sorts the samples.
  double ms(double q);
  // {"p50", "p90", "p99", "max"} in milliseconds.
  boost::json::object summary();

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
