// Percentiles, the summary table and the JSON result line of a load run.
#include "statistics.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

namespace sealpost::loadtest {

namespace json = boost::json;

double seconds_since(sclock::time_point t) {
  return std::chrono::duration<double>(sclock::now() - t).count();
}

void latencies::add(sclock::duration d) {
  us_.push_back(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

namespace {

// The q-quantile of `us` (not empty) in milliseconds. Works on a copy: the samples must
// stay in arrival order for ms_since.
double quantile_ms(std::vector<std::int64_t> us, double q) {
  const auto i = static_cast<std::size_t>(q * static_cast<double>(us.size() - 1));
  std::nth_element(us.begin(), us.begin() + static_cast<std::ptrdiff_t>(i), us.end());
  return static_cast<double>(us[i]) / 1000.0;
}

}  // namespace

double latencies::ms(double q) const {
  return us_.empty() ? 0 : quantile_ms(us_, q);
}

std::optional<double> latencies::ms_since(std::size_t first, double q) const {
  if (first >= us_.size())
    return std::nullopt;
  return quantile_ms({us_.begin() + static_cast<std::ptrdiff_t>(first), us_.end()}, q);
}

json::object latencies::summary() const {
  return {{"p50", ms(0.50)}, {"p90", ms(0.90)}, {"p99", ms(0.99)}, {"max", ms(1.0)}};
}

json::object to_json(const error_counts& errors) {
  json::object out;
  for (const auto& [kind, n] : errors)
    out[kind] = n;
  return out;
}

long total(const error_counts& errors) {
  long n = 0;
  for (const auto& [kind, count] : errors)
    n += count;
  return n;
}

void print_latency_header() {
  std::printf("  %-22s %9s %9s %9s %9s %9s\n", "latency (ms)", "count", "p50", "p90", "p99", "max");
}

void print_row(const char* name, latencies& l) {
  std::printf("  %-22s %9zu %9.2f %9.2f %9.2f %9.2f\n", name, l.count(), l.ms(0.5), l.ms(0.9),
              l.ms(0.99), l.ms(1.0));
}

namespace {

std::string now_utc() {
  const auto t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

void append_result(const options& o, json::object result) {
  result.emplace("time", now_utc());
  if (!o.label.empty())
    result.emplace("label", o.label);
  std::ofstream(o.results, std::ios::app) << json::serialize(result) << "\n";
  std::cout << json::serialize(result) << "\n";
}

}  // namespace sealpost::loadtest
