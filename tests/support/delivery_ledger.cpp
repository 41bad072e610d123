// Records sends, answers, deliveries and acks under one lock.
#include "delivery_ledger.hpp"

#include <boost/json.hpp>

#include "net/websocket_frames.hpp"

namespace sealpost::testing {

namespace json = boost::json;
using sealpost::net::guid_text;

namespace {

bool is_ok(const http_result& r) {
  return r.how == http_result::kind::answered && r.status == 200;
}

// The device -> guid map of a 200; empty when its results are not well-formed (the
// verdict then reports the send as lost).
std::map<std::int32_t, std::string> guids_of(const http_result& r) {
  std::map<std::int32_t, std::string> guids;
  if (!is_ok(r))
    return guids;
  try {
    const auto body = json::parse(r.body);
    const auto& results = body.at("results").as_array();
    for (const auto& item : results) {
      guids.emplace(static_cast<std::int32_t>(item.at("device_id").as_int64()),
                    std::string(item.at("guid").as_string()));
    }
  } catch (const std::exception&) {
    guids.clear();
  }
  return guids;
}

}  // namespace

bool is_clean_server_error(const http_result& r) {
  if (r.how != http_result::kind::answered || r.status < 500 || r.status > 599)
    return false;
  boost::system::error_code ec;
  const auto body = json::parse(r.body, ec);
  return !ec && body.is_object() && body.as_object().contains("error") &&
         body.as_object().at("error").is_string();
}

void delivery_ledger::begin(const std::string& key, const std::string& sender) {
  std::lock_guard lock(mutex_);
  auto& a = attempts_[key];
  a.sender_account = sender;
  a.started = a.finished = ledger_clock::now();
}

void delivery_ledger::finish(const std::string& key, const http_result& r) {
  auto guids = guids_of(r);
  std::lock_guard lock(mutex_);
  auto& a = attempts_.at(key);
  a.finished = ledger_clock::now();
  a.done = true;
  a.answer = r;
  a.guids = std::move(guids);
  if (is_ok(r))
    ++ok_;
}

void delivery_ledger::delivered(const sealpost::v1::Envelope& e, std::int32_t device,
                                int connection) {
  std::lock_guard lock(mutex_);
  deliveries_.push_back({guid_text(e.guid()), e.content(), device, e.destination_device(),
                         e.source_account(), e.source_device(), connection, ledger_clock::now()});
}

void delivery_ledger::ws_acked() {
  std::lock_guard lock(mutex_);
  ++ws_acks_;
}

void delivery_ledger::confirmed_ack(const std::string& guid) {
  std::lock_guard lock(mutex_);
  confirmed_acks_.emplace(guid, ledger_clock::now());
}

std::size_t delivery_ledger::ok_count() {
  std::lock_guard lock(mutex_);
  return ok_;
}

std::size_t delivery_ledger::delivery_count() {
  std::lock_guard lock(mutex_);
  return deliveries_.size();
}

std::size_t delivery_ledger::finished_since(ledger_clock::time_point since, bool only_ok) {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [key, a] : attempts_) {
    if (a.done && a.started >= since && (!only_ok || is_ok(a.answer)))
      ++n;
  }
  return n;
}

}  // namespace sealpost::testing
