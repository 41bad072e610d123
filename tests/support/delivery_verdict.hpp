// The verdict of a crash test over its whole delivery ledger: counts of sends by outcome,
// of deliveries, and of every way delivery can go wrong (lost, invented, resurrected...).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "delivery_ledger.hpp"
#include "message_load.hpp"

namespace sealpost::testing {

struct delivery_verdict {
  std::size_t sends = 0, ok = 0, cut_off = 0, refused = 0, timed_out = 0, server_errors = 0,
              unclean_errors = 0, other_status = 0;
  std::size_t envelopes = 0, deliveries = 0, duplicates = 0, in_doubt_delivered = 0;
  std::size_t lost = 0, invented = 0, mismatched = 0, stored_twice = 0, same_socket_repeats = 0,
              resurrected = 0;
  std::size_t confirmed_acks = 0, ws_acks = 0;
  std::vector<std::string> problems;  // the first few, for the failure message

  void problem(const std::string& what);
  std::string problem_list() const;
};

// Judges the ledger of a load whose recipient was `to`; read it once the load has stopped.
delivery_verdict judge(const delivery_ledger& book, const recipient& to);

// One line of counts, for the test's output and failure messages.
std::string describe(const delivery_verdict& v);

}  // namespace sealpost::testing
