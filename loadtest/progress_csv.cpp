// The per-second progress CSV (--progress-csv) and the formatting of its lines.
#include "progress_csv.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace sealpost::loadtest {

namespace {

// A figure with at most 3 decimals: milliseconds to the microsecond, seconds to the
// millisecond, counts as integers; trailing zeros only make the file longer.
std::string format_figure(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  std::string s = buf;
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.')
    s.pop_back();
  return s == "-0" ? "0" : s;
}

}  // namespace

std::string csv_header(const std::vector<std::string>& columns) {
  std::string line;
  for (const auto& c : columns)
    line += (line.empty() ? "" : ",") + c;
  return line + "\n";
}

std::string csv_row(const std::vector<csv_field>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0)
      line += ',';
    if (fields[i] && std::isfinite(*fields[i]))
      line += format_figure(*fields[i]);
  }
  return line + "\n";
}

progress_csv::progress_csv(const std::string& path, std::vector<std::string> columns)
    : columns_(columns.size()) {
  if (path.empty())
    return;
  out_.open(path, std::ios::trunc);
  out_ << csv_header(columns) << std::flush;
  if (!out_)
    throw std::runtime_error("cannot write the progress CSV " + path);
}

void progress_csv::row(const std::vector<csv_field>& fields) {
  if (fields.size() != columns_)
    throw std::logic_error("progress CSV row with " + std::to_string(fields.size()) +
                           " fields for " + std::to_string(columns_) + " columns");
  if (out_.is_open())
    out_ << csv_row(fields) << std::flush;
}

double per_second(long n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
}

}  // namespace sealpost::loadtest
