// Figures about the whole database that cost a scan (the queue depth, the prekey pool
// census), shared between nodes through the database_figures table: one node measures them
// per interval and every node reports what it measured.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

namespace sealpost::storage {

struct shared_figures {
  std::vector<std::int64_t> values;
  double measured_at = 0;  // seconds since the Unix epoch, by the database's clock
  bool measured_here = false;
};

using figure_measurement = std::function<std::vector<std::int64_t>(pqxx::work&)>;

// The `arity` figures stored under `name` when they were measured less than `max_age` ago.
// Otherwise, unless another node is measuring them right now, runs `measure` in `tx`, stores
// its result and returns it. Otherwise the stored figures however old, or none when no node
// has measured them yet. `measure` may run up to `time_limit`, whatever the connection's
// statement timeout. Takes a transaction-level advisory lock: commit `tx` soon after.
std::optional<shared_figures> read_or_measure(pqxx::work& tx, const std::string& name,
                                              std::size_t arity, std::chrono::milliseconds max_age,
                                              std::chrono::milliseconds time_limit,
                                              const figure_measurement& measure);

}  // namespace sealpost::storage
