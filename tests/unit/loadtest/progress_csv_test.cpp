// The progress CSV that the benchmark charts read: its header, the figures' format, a
// second without a latency as an empty field, and the file as the load generator writes it.
#include "progress_csv.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

using namespace sealpost::loadtest;

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A file name of this test's own under the temporary folder, removed when done.
struct temp_path {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("sealpost-progress-csv-" + std::to_string(::getpid()) + ".csv");
  ~temp_path() { std::filesystem::remove(path); }
};

}  // namespace

TEST_CASE("progress csv: the header is the column names, comma-separated", "[progress_csv]") {
  CHECK(csv_header({"elapsed_s", "sends", "send_p99_ms"}) == "elapsed_s,sends,send_p99_ms\n");
  CHECK(csv_header({"elapsed_s"}) == "elapsed_s\n");
}

TEST_CASE("progress csv: figures have at most 3 decimals and no trailing zeros", "[progress_csv]") {
  CHECK(csv_row({12.0, 0.5, 1.23456, 1000.0, 0.0}) == "12,0.5,1.235,1000,0\n");
  CHECK(csv_row({2.0004, 652.1, 1e-4}) == "2,652.1,0\n");
}

TEST_CASE("progress csv: a second without a figure has an empty field, never 0", "[progress_csv]") {
  CHECK(csv_row({1.0, 0.0, std::nullopt}) == "1,0,\n");
  CHECK(csv_row({std::nullopt, 3.0}) == ",3\n");
  CHECK(csv_row({std::nan(""), INFINITY, 4.0}) == ",,4\n");
}

TEST_CASE("progress csv: the file holds the header, then one row per call", "[progress_csv]") {
  temp_path tmp;
  {
    progress_csv csv(tmp.path.string(), {"elapsed_s", "claims", "claim_p99_ms"});
    csv.row({1.002, 1480.0, 7.25});
    csv.row({2.001, 0.0, std::nullopt});
    // Flushed at once: a run that is interrupted keeps the seconds it had.
    CHECK(read_file(tmp.path) == "elapsed_s,claims,claim_p99_ms\n1.002,1480,7.25\n2.001,0,\n");
  }
  // A new run overwrites the file rather than appending a second header.
  progress_csv again(tmp.path.string(), {"elapsed_s"});
  CHECK(read_file(tmp.path) == "elapsed_s\n");
}

TEST_CASE("progress csv: a row must have one field per column", "[progress_csv]") {
  progress_csv csv("", {"elapsed_s", "sends"});
  CHECK_THROWS_AS(csv.row({1.0}), std::logic_error);
  CHECK_NOTHROW(csv.row({1.0, 2.0}));
}

TEST_CASE("progress csv: a path that cannot be written fails at once", "[progress_csv]") {
  CHECK_THROWS_AS(progress_csv("/nonexistent-folder/progress.csv", {"elapsed_s"}),
                  std::runtime_error);
}

TEST_CASE("progress csv: the rate of an interval is over its real length", "[progress_csv]") {
  CHECK(per_second(100, 1.0) == 100.0);
  CHECK(per_second(110, 1.1) == Approx(100.0));
  CHECK(per_second(5, 0.0) == 0.0);
}
