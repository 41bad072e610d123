// sealpost-loadtest's command line: the scenario and its sizes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sealpost::loadtest {

struct options {
  std::string scenario;
  std::string host = "127.0.0.1";
  // --port, given once per server node (all on --host); a scenario uses the first, the relay
  // the first `nodes`.
  std::vector<std::uint16_t> ports{8080};
  int nodes = 1;
  int duration = 15;
  int receivers = 20;
  int senders = 10;
  double rate = 0;
  int clients = 10;
  int accounts = 100;
  int keys = 100;
  int setup_concurrency = 4;
  long messages = 5000;
  int connections = 1000;
  std::vector<int> server_pids;  // --server-pid, repeatable: one per node
  std::string results = "loadtest-results.jsonl";
  std::string label;
  std::string progress_csv;  // --progress-csv: empty for none
  std::string targets;       // --targets: kt-search's account ids, one per line
};

// Parses the command line into `o`. Returns the exit code when the program should stop
// here (after --help, or a usage error it printed to stderr), nullopt to run.
std::optional<int> parse_options(int argc, char** argv, options& o);

}  // namespace sealpost::loadtest
