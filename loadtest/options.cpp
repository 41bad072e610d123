// Parses and checks sealpost-loadtest's command line (Boost.Program_options).
#include "options.hpp"

#include <boost/program_options.hpp>
#include <iostream>
#include <set>

namespace sealpost::loadtest {

namespace po = boost::program_options;

namespace {

po::options_description describe(options& o) {
  po::options_description desc(
      "sealpost-loadtest SCENARIO [options]\n"
      "  SCENARIO: relay | claim | backlog | idle | kt-search. The server's rate limits must be "
      "raised (see docs/benchmarks.md).\n"
      "Options");
  desc.add_options()("help,h", "this help")("scenario", po::value(&o.scenario),
                                            "relay | claim | backlog | idle | kt-search")(
      "host", po::value(&o.host)->default_value(o.host), "server address (IPv4/IPv6 literal)")(
      "port,p", po::value(&o.ports)->composing()->default_value(o.ports, "8080"),
      "server port; give it once per server node (--port 8080 --port 8081), all on --host")(
      "nodes", po::value(&o.nodes)->default_value(o.nodes),
      "relay: spread the senders and the receivers' devices over the first N --port nodes, "
      "a receiver's 2 devices on different nodes: with 2 nodes every send has one envelope "
      "for a device on the node that took it and one that crosses nodes. End-to-end latency "
      "is then also reported for same-node and cross-node deliveries")(
      "duration,d", po::value(&o.duration)->default_value(o.duration), "seconds of load")(
      "receivers,r", po::value(&o.receivers)->default_value(o.receivers),
      "relay: receiver accounts (2 devices each)")(
      "senders,s", po::value(&o.senders)->default_value(o.senders), "relay: sending clients")(
      "rate", po::value(&o.rate)->default_value(o.rate),
      "relay: total sends/s (0: as fast as possible, one request in flight per sender)")(
      "clients,c", po::value(&o.clients)->default_value(o.clients),
      "claim: claiming clients; kt-search: searching clients")(
      "accounts,a", po::value(&o.accounts)->default_value(o.accounts), "claim: target accounts")(
      "keys,n", po::value(&o.keys)->default_value(o.keys),
      "claim: one-time keys per account (each pool; at most keys.max_prekeys_per_upload)")(
      "messages,m", po::value(&o.messages)->default_value(o.messages),
      "backlog: sends queued before the receivers connect (2 envelopes each)")(
      "connections", po::value(&o.connections)->default_value(o.connections),
      "idle: WebSockets to open (6 devices per account)")(
      "server-pid", po::value(&o.server_pids)->composing(),
      "server process on this machine (repeat for each node): idle measures the first one's "
      "RSS, relay the CPU all of them use per send while the senders run")(
      "setup-concurrency", po::value(&o.setup_concurrency)->default_value(o.setup_concurrency),
      "parallel registrations during setup")("results",
                                             po::value(&o.results)->default_value(o.results),
                                             "file the JSON result line is appended to")(
      "label", po::value(&o.label), "free text stored in the result line")(
      "progress-csv", po::value(&o.progress_csv),
      "relay, claim: also write the progress line of each second to this CSV file "
      "(overwritten): elapsed_s, the operations (sends or claims) of that second, their rate, "
      "the p99 latency in ms of the operations completed in that second (empty when none "
      "did), errors, and the totals. Charts: loadtest/render-charts.sh")(
      "targets", po::value(&o.targets),
      "kt-search: file of the account ids to search, one per line (each must be published in "
      "the log); the clients pick one at random for every search");
  return desc;
}

bool counts_valid(const options& o) {
  return o.duration > 0 && o.senders > 0 && o.receivers > 0 && o.clients > 0 && o.accounts > 0 &&
         o.keys > 0 && o.messages > 0 && o.connections > 0 && o.setup_concurrency > 0 &&
         o.rate >= 0 && o.nodes > 0;
}

}  // namespace

std::optional<int> parse_options(int argc, char** argv, options& o) {
  const auto desc = describe(o);
  po::positional_options_description pos;
  pos.add("scenario", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help") ||
      !std::set<std::string>{"relay", "claim", "backlog", "idle", "kt-search"}.contains(
          o.scenario)) {
    std::cerr << desc;
    return vm.count("help") ? 0 : 2;
  }
  if (!counts_valid(o)) {
    std::cerr << "counts and durations must be positive\n";
    return 2;
  }
  if (o.nodes > 1 && o.scenario != "relay") {
    std::cerr << "--nodes is for the relay scenario\n";
    return 2;
  }
  if (!o.progress_csv.empty() && o.scenario != "relay" && o.scenario != "claim") {
    std::cerr << "--progress-csv is for the relay and claim scenarios\n";
    return 2;
  }
  if (o.scenario == "kt-search" && o.targets.empty()) {
    std::cerr << "kt-search needs --targets FILE\n";
    return 2;
  }
  if (static_cast<std::size_t>(o.nodes) > o.ports.size()) {
    std::cerr << "--nodes " << o.nodes << " needs as many --port options\n";
    return 2;
  }
  return std::nullopt;
}

}  // namespace sealpost::loadtest
