// --progress-csv: a scenario's progress of each second as a CSV row beside its stderr line,
// so a run can be charted over time (loadtest/render-charts.sh) next to pgbench's seconds.
#pragma once

#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace sealpost::loadtest {

// One CSV field: a figure, or none (an empty field). The p99 of a second in which nothing
// completed is none: a chart must show a gap there, not 0 ms.
using csv_field = std::optional<double>;

// The header line: the column names joined with commas, then a newline.
std::string csv_header(const std::vector<std::string>& columns);

// One row: each figure with at most 3 decimals and no trailing zeros ("12", "0.5",
// "1.234"), an empty field for none or a non-finite figure, then a newline.
std::string csv_row(const std::vector<csv_field>& fields);

// The CSV file of one run. Without a path (the option not given) it writes nothing, so a
// scenario reports to it unconditionally and its stderr and JSON stay as they were.
class progress_csv {
 public:
  // Creates or truncates `path` and writes the header; throws if it cannot.
  progress_csv(const std::string& path, std::vector<std::string> columns);

  // Writes one row and flushes it, so an interrupted run keeps the seconds it had. Throws
  // if the row does not have one field per column.
  void row(const std::vector<csv_field>& fields);

 private:
  std::ofstream out_;
  std::size_t columns_;
};

// n things over `seconds` (0 when the interval is empty).
double per_second(long n, double seconds);

}  // namespace sealpost::loadtest
