// Figures measured by one node per interval, read by every node.
#include "storage/database_figures.hpp"

#include <charconv>
#include <string_view>

namespace sealpost::storage {
namespace {

// The first key of the two-key advisory locks on figures (their space never overlaps the
// one-key locks of migrations and the key-transparency sequencer); the second is the hash
// of the figure's name, so different figures are measured independently.
constexpr int kFiguresLockSpace = 0x05EA'1F16;

constexpr const char* kReadFigures = R"sql(
SELECT array_to_string(figures, ','), extract(epoch FROM measured_at)::float8,
       measured_at > now() - make_interval(secs => $2::float8 / 1000)
FROM database_figures WHERE name = $1)sql";

constexpr const char* kTryLock = "SELECT pg_try_advisory_xact_lock($1, hashtext($2))";

// For this transaction only: counting a big deployment may take longer than a request may.
constexpr const char* kSetStatementTimeout = "SELECT set_config('statement_timeout', $1, true)";

constexpr const char* kStoreFigures = R"sql(
INSERT INTO database_figures (name, figures, measured_at)
VALUES ($1, string_to_array($2, ',')::bigint[], now())
ON CONFLICT (name) DO UPDATE SET figures = EXCLUDED.figures, measured_at = EXCLUDED.measured_at
RETURNING extract(epoch FROM measured_at)::float8)sql";

struct stored_figures {
  shared_figures figures;
  bool fresh = false;
};

// "1,2,3" as numbers; nullopt when a value is not a number.
std::optional<std::vector<std::int64_t>> parse_list(std::string_view text) {
  std::vector<std::int64_t> values;
  while (!text.empty()) {
    const std::size_t comma = std::min(text.find(','), text.size());
    std::int64_t value = 0;
    const auto* const end = text.data() + comma;
    if (std::from_chars(text.data(), end, value).ptr != end)
      return std::nullopt;
    values.push_back(value);
    text.remove_prefix(std::min(comma + 1, text.size()));
  }
  return values;
}

std::string to_list(const std::vector<std::int64_t>& values) {
  std::string text;
  for (const std::int64_t value : values)
    text += (text.empty() ? "" : ",") + std::to_string(value);
  return text;
}

// The stored figures, unless there are none or they have another arity (written by a node
// that measures something else under the same name): those count as never measured.
std::optional<stored_figures> read_stored(pqxx::work& tx, const std::string& name,
                                          std::size_t arity, std::chrono::milliseconds max_age) {
  const pqxx::result rows =
      tx.exec_params(kReadFigures, name, static_cast<std::int64_t>(max_age.count()));
  if (rows.empty())
    return std::nullopt;
  auto values = parse_list(rows[0][0].as<std::string>());
  if (!values || values->size() != arity)
    return std::nullopt;
  return stored_figures{{std::move(*values), rows[0][1].as<double>(), false},
                        rows[0][2].as<bool>()};
}

}  // namespace

std::optional<shared_figures> read_or_measure(pqxx::work& tx, const std::string& name,
                                              std::size_t arity, std::chrono::milliseconds max_age,
                                              std::chrono::milliseconds time_limit,
                                              const figure_measurement& measure) {
  auto stored = read_stored(tx, name, arity, max_age);
  if (stored && stored->fresh)
    return std::move(stored->figures);
  if (!tx.exec_params1(kTryLock, kFiguresLockSpace, name)[0].as<bool>()) {
    // Another node is measuring: report the figures it measured last time.
    return stored ? std::optional(std::move(stored->figures)) : std::nullopt;
  }
  // The node that held the lock may have stored fresh figures since the first read.
  stored = read_stored(tx, name, arity, max_age);
  if (stored && stored->fresh)
    return std::move(stored->figures);
  tx.exec_params(kSetStatementTimeout, std::to_string(time_limit.count()));
  shared_figures measured{measure(tx), 0, true};
  measured.measured_at =
      tx.exec_params1(kStoreFigures, name, to_list(measured.values))[0].as<double>();
  return measured;
}

}  // namespace sealpost::storage
