// How the requests that change a label take part in key transparency (DESIGN.md, "When
// versions are appended"): they queue the label in their own transaction, then, after the
// commit, wait up to kt.confirm_wait_ms for the entry that publishes it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "app/services.hpp"
#include "net/http_types.hpp"

namespace sealpost::resources {

// What a request queued: the queue rows and the label whose publication it reports.
struct kt_change {
  std::vector<std::int64_t> pending_ids;
  std::string label;  // the account label
};

// In the request's transaction: queues the account's label (and `username`'s, for a
// registration or deletion). Nothing when kt.enabled is off.
kt_change queue_kt_change(const app::services& s, pqxx::work& tx, const std::string& account_id,
                          const std::optional<std::string>& username = std::nullopt);

// The position of the entry that published the change, once a batch has taken its queue
// rows; nullopt when that did not happen within kt.confirm_wait_ms (or KT is off).
boost::asio::awaitable<std::optional<std::uint64_t>> await_kt_publication(app::services& s,
                                                                          kt_change change);

// "kt_position" of a 201: the position, or null when not yet published.
boost::json::value kt_position_json(const std::optional<std::uint64_t>& position);
// A 204 with the header Sealpost-KT-Position once the change is published.
net::response with_kt_position(net::response response,
                               const std::optional<std::uint64_t>& position);

}  // namespace sealpost::resources
