// Storage outcomes to API errors, in one table per storage error enum; the codes, statuses and
// messages here are part of the API (docs/api.md) and change only with it.
#include "resources/storage_errors.hpp"

#include <algorithm>
#include <boost/json/array.hpp>

namespace sealpost::resources {
namespace {

using net::api_errc;

// Shared by registration and linking, whose uploads are checked the same way.
net::api_error key_id_conflict_in_upload() {
  return {api_errc::conflict, "key_id_conflict", "a key_id appears twice with different keys"};
}

net::api_error initial_pool_too_large() {
  return {api_errc::payload_too_large, "too_many_keys", "one-time prekey pool limit exceeded"};
}

boost::json::array ids_json(const std::vector<std::int32_t>& ids) {
  boost::json::array out;
  for (auto id : ids)
    out.push_back(id);
  return out;
}

}  // namespace

net::api_error api_error_of(const transparency::kt_query_error& e) {
  using kind = transparency::kt_query_error::kind;
  switch (e.which()) {
    case kind::unavailable:
      return {api_errc::not_ready, "kt_unavailable", e.what(), {}, std::chrono::seconds(2)};
    case kind::invalid_request:
      return {api_errc::bad_request, "invalid_request", e.what()};
    case kind::not_found:
      return {api_errc::not_found, "not_found", e.what()};
  }
  return {api_errc::internal, "internal_error", "unexpected key-transparency error"};
}

net::api_error api_error_of(absent what) {
  switch (what) {
    case absent::account:
      return {api_errc::not_found, "account_not_found", "no such account"};
    case absent::username:
      return {api_errc::not_found, "account_not_found", "no account with that username"};
    case absent::device:
      return {api_errc::not_found, "device_not_found", "no such device"};
    case absent::calling_device:
      return {api_errc::unauthorized, "unauthorized", "device no longer exists"};
    case absent::backup:
      return {api_errc::not_found, "backup_not_found", "this account has no backup"};
    case absent::queued_message:
      return {api_errc::not_found, "message_not_found", "no such message in this device's queue"};
  }
  return {api_errc::internal, "internal_error", "internal server error"};
}

net::api_error api_error_of(storage::registration_error e) {
  using storage::registration_error;
  switch (e) {
    case registration_error::username_taken:
      return {api_errc::conflict, "username_taken", "that username is taken"};
    case registration_error::invalid_invite:
      return {api_errc::forbidden, "invalid_invite", "the invite is unknown or already used"};
    case registration_error::key_id_conflict:
      return key_id_conflict_in_upload();
    case registration_error::pool_full:
      return initial_pool_too_large();
  }
  return {api_errc::internal, "internal_error", "internal server error"};
}

net::api_error api_error_of(storage::link_error e) {
  using storage::link_error;
  switch (e) {
    case link_error::invalid_link_token:
      return {api_errc::forbidden, "invalid_link_token",
              "the link token is unknown, used or expired"};
    case link_error::device_limit:
      return {api_errc::conflict, "device_limit", "the account has the maximum number of devices"};
    case link_error::key_id_conflict:
      return key_id_conflict_in_upload();
    case link_error::pool_full:
      return initial_pool_too_large();
  }
  return {api_errc::internal, "internal_error", "internal server error"};
}

net::api_error api_error_of(storage::key_store_error e) {
  switch (e) {
    case storage::key_store_error::pool_full:
      return {api_errc::payload_too_large, "too_many_keys",
              "the one-time prekey pool would exceed keys.max_one_time_prekeys"};
    case storage::key_store_error::key_id_conflict:
      return {api_errc::conflict, "key_id_conflict",
              "a stored key_id was sent with different bytes"};
  }
  return {api_errc::internal, "internal_error", "internal server error"};
}

net::api_error api_error_of(storage::bundle_error e) {
  switch (e) {
    case storage::bundle_error::not_found:
      return {api_errc::not_found, "not_found", "no such account or device"};
  }
  return {api_errc::internal, "internal_error", "internal server error"};
}

net::api_error api_error_of(const storage::send_failure& f) {
  switch (f.kind) {
    case storage::send_error::recipient_not_found:
      return api_error_of(absent::account);
    case storage::send_error::mismatched_devices: {
      net::api_error err{api_errc::conflict, "mismatched_devices",
                         "the message set does not match the recipient's devices"};
      err.extra["missing_devices"] = ids_json(f.missing_devices);
      err.extra["extra_devices"] = ids_json(f.extra_devices);
      return err;
    }
    case storage::send_error::stale_devices: {
      net::api_error err{api_errc::gone, "stale_devices", "some devices were re-registered"};
      err.extra["stale_devices"] = ids_json(f.stale_devices);
      return err;
    }
    case storage::send_error::queue_full:
      return {api_errc::insufficient_storage, "queue_full",
              "device " + std::to_string(f.full_device) + " has too many undelivered messages"};
  }
  return {api_errc::internal, "internal_error", "internal server error"};
}

namespace {

// The refusals of one kind, as {"account_id", ...} objects; `fields` adds the device ids.
template <class Fields>
boost::json::array accounts_json(const multi_send_refusals& r, storage::send_error kind,
                                 Fields fields) {
  boost::json::array out;
  for (const auto& [account, failure] : r.failures) {
    if (failure.kind != kind)
      continue;
    boost::json::object entry{{"account_id", account}};
    fields(entry, failure);
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<std::int32_t> ascending(std::vector<std::int32_t> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

net::api_error api_error_of(const multi_send_refusals& r) {
  auto mismatched = accounts_json(r, storage::send_error::mismatched_devices,
                                  [](boost::json::object& e, const storage::send_failure& f) {
                                    e["missing_devices"] = ids_json(ascending(f.missing_devices));
                                    e["extra_devices"] = ids_json(ascending(f.extra_devices));
                                  });
  if (!mismatched.empty()) {
    net::api_error err{api_errc::conflict, "mismatched_devices",
                       "the message's devices do not match some recipients' devices"};
    err.extra["accounts"] = std::move(mismatched);
    return err;
  }
  auto stale = accounts_json(r, storage::send_error::stale_devices,
                             [](boost::json::object& e, const storage::send_failure& f) {
                               e["stale_devices"] = ids_json(ascending(f.stale_devices));
                             });
  if (!stale.empty()) {
    net::api_error err{api_errc::gone, "stale_devices", "some devices were re-registered"};
    err.extra["accounts"] = std::move(stale);
    return err;
  }
  if (!r.mixed_identity_keys.empty()) {
    net::api_error err{api_errc::conflict, "identity_keys_differ",
                       "these accounts' devices hold different identity keys: send to them one "
                       "device at a time"};
    boost::json::array accounts;
    for (const auto& a : r.mixed_identity_keys)
      accounts.push_back(boost::json::object{{"account_id", a}});
    err.extra["accounts"] = std::move(accounts);
    return err;
  }
  for (const auto& [account, failure] : r.failures) {
    if (failure.kind == storage::send_error::queue_full)
      return {api_errc::insufficient_storage, "queue_full",
              "device " + std::to_string(failure.full_device) + " of account " + account +
                  " has too many undelivered messages"};
  }
  // An account deleted between the key check and the send: as if its key were refused.
  return {api_errc::unauthorized, "unauthorized",
          "the Unidentified-Access-Key does not allow sending to these accounts"};
}

}  // namespace sealpost::resources
