// The one mapping from what the storage layer reports to what a client is told: every
// handler turns a repository's error or empty answer into an api_error here.
#pragma once

#include "net/api_error.hpp"
#include "net/request_error.hpp"
#include "storage/account_repository.hpp"
#include "storage/key_repository.hpp"
#include "storage/message_repository.hpp"
#include "transparency/log_view.hpp"

namespace sealpost::resources {

// What a repository reports by an empty answer (nullopt, false or 0) instead of an error enum.
enum class absent {
  account,         // 404 account_not_found: no such account (also a malformed account id)
  username,        // 404 account_not_found: no account with that username
  device,          // 404 device_not_found (also a malformed device id)
  calling_device,  // 401 unauthorized: the authenticated device was removed meanwhile
  backup,          // 404 backup_not_found
  queued_message,  // 404 message_not_found: not in the calling device's queue
};

net::api_error api_error_of(absent what);
net::api_error api_error_of(storage::registration_error e);
net::api_error api_error_of(storage::link_error e);
net::api_error api_error_of(storage::key_store_error e);
net::api_error api_error_of(storage::bundle_error e);
// 404, 409 with missing/extra devices, 410 with stale devices or 507 queue_full.
net::api_error api_error_of(const storage::send_failure& f);

// What refused a multi-recipient send, per included account in message order.
struct multi_send_refusals {
  std::vector<std::pair<std::string, storage::send_failure>> failures;
  std::vector<std::string> mixed_identity_keys;  // accounts whose devices' identity keys differ
  bool empty() const { return failures.empty() && mixed_identity_keys.empty(); }
};
// DESIGN.md's order: 409 mismatched_devices, then 410 stale_devices, then 409
// identity_keys_differ, each listing every account concerned; then 507 queue_full.
net::api_error api_error_of(const multi_send_refusals& r);

// 503 kt_unavailable (no entry yet), 400 invalid_request, 404 not_found.
net::api_error api_error_of(const transparency::kt_query_error& e);

// Throws net::request_error carrying api_error_of(outcome); rolls back an open transaction.
template <class Outcome>
[[noreturn]] void fail_with(const Outcome& outcome) {
  throw net::request_error(api_error_of(outcome));
}

}  // namespace sealpost::resources
