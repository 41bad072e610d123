// Judges a delivery ledger: every send answered 200 arrived, nothing arrived that no client
// sent, and nothing came back after its ack was confirmed.
#include "delivery_verdict.hpp"

#include <charconv>
#include <map>
#include <set>
#include <sstream>

namespace sealpost::testing {

void delivery_verdict::problem(const std::string& what) {
  if (problems.size() < 10)
    problems.push_back(what);
}

std::string delivery_verdict::problem_list() const {
  std::string out;
  for (const auto& p : problems)
    out += "\n  " + p;
  return out;
}

namespace {

using copies_by_guid = std::map<std::string, std::vector<const delivery_record*>>;

void count_answer(delivery_verdict& v, const std::string& key, const http_result& answer) {
  switch (answer.how) {
    case http_result::kind::refused:
      ++v.refused;
      break;
    case http_result::kind::cut_off:
      ++v.cut_off;
      break;
    case http_result::kind::timed_out:
      ++v.timed_out;
      v.problem("send " + key + " got no answer within " + std::to_string(kRequestTimeout.count()) +
                " s");
      break;
    case http_result::kind::answered:
      if (answer.status == 200) {
        ++v.ok;
      } else if (answer.status >= 500) {
        ++v.server_errors;
        if (!is_clean_server_error(answer)) {
          ++v.unclean_errors;
          v.problem("send " + key + ": " + std::to_string(answer.status) +
                    " without a JSON error: " + answer.body);
        }
      } else {
        ++v.other_status;
        v.problem("send " + key + ": unexpected " + std::to_string(answer.status) + " " +
                  answer.body);
      }
      break;
  }
}

// Repeats over one socket, and deliveries after a confirmed ack.
void check_copies(delivery_verdict& v, const delivery_ledger& book, const std::string& guid,
                  const std::vector<const delivery_record*>& copies) {
  std::set<int> sockets;
  for (const auto* d : copies) {
    if (!sockets.insert(d->connection).second) {
      ++v.same_socket_repeats;
      v.problem("envelope " + guid + " came twice over one connection");
    }
  }
  if (auto ack = book.confirmed_acks().find(guid); ack != book.confirmed_acks().end()) {
    for (const auto* d : copies) {
      if (d->at > ack->second) {
        ++v.resurrected;
        v.problem("envelope " + guid + " was delivered again after its ack was confirmed");
      }
    }
  }
}

// Whether the envelope matches the send its content names ("s<thread>-<n>#<device>");
// counts it as invented when no client sent it.
void check_origin(delivery_verdict& v, const delivery_ledger& book, const std::string& guid,
                  const std::vector<const delivery_record*>& copies) {
  const auto& first = *copies.front();
  const auto hash = first.content.rfind('#');
  std::int32_t device = 0;
  const bool parsed = hash != std::string::npos &&
                      std::from_chars(first.content.data() + hash + 1,
                                      first.content.data() + first.content.size(), device)
                              .ec == std::errc();
  const auto it =
      parsed ? book.attempts().find(first.content.substr(0, hash)) : book.attempts().end();
  if (it == book.attempts().end()) {
    ++v.invented;
    v.problem("envelope " + guid + " was never sent by a client");
    return;
  }
  const auto& a = it->second;
  bool matches = true;
  for (const auto* d : copies) {
    matches = matches && d->content == first.content && d->device == device &&
              d->destination_device == static_cast<std::uint32_t>(device) &&
              d->source_account == a.sender_account && d->source_device == 1;
  }
  if (a.answer.how == http_result::kind::answered && a.answer.status == 200) {
    const auto g = a.guids.find(device);
    matches = matches && g != a.guids.end() && g->second == guid;
  } else {
    ++v.in_doubt_delivered;  // its answer was cut off (or an error), yet it was committed
  }
  if (!matches) {
    ++v.mismatched;
    v.problem("envelope " + guid + " (" + first.content + ") does not match what was sent");
  }
}

void judge_envelopes(delivery_verdict& v, const delivery_ledger& book,
                     const copies_by_guid& by_guid) {
  std::map<std::string, std::set<std::string>> guids_by_content;
  for (const auto& [guid, copies] : by_guid) {
    ++v.envelopes;
    v.deliveries += copies.size();
    v.duplicates += copies.size() - 1;
    check_copies(v, book, guid, copies);
    guids_by_content[copies.front()->content].insert(guid);
    check_origin(v, book, guid, copies);
  }
  for (const auto& [content, guids] : guids_by_content) {
    if (guids.size() > 1) {
      ++v.stored_twice;
      v.problem("one send stored twice: " + content);
    }
  }
}

// Every send answered 200 reached both devices.
void find_lost(delivery_verdict& v, const delivery_ledger& book, const recipient& to,
               const copies_by_guid& by_guid) {
  for (const auto& [key, a] : book.attempts()) {
    if (a.answer.how != http_result::kind::answered || a.answer.status != 200)
      continue;
    for (const auto device : {to.primary.device_id, to.secondary.device_id}) {
      const auto g = a.guids.find(device);
      if (g == a.guids.end() || !by_guid.contains(g->second)) {
        ++v.lost;
        v.problem("send " + key + " was answered 200 but never reached device " +
                  std::to_string(device));
      }
    }
  }
}

}  // namespace

delivery_verdict judge(const delivery_ledger& book, const recipient& to) {
  delivery_verdict v;
  v.confirmed_acks = book.confirmed_acks().size();
  v.ws_acks = book.ws_acks();
  for (const auto& [key, a] : book.attempts()) {
    ++v.sends;
    count_answer(v, key, a.answer);
  }
  copies_by_guid by_guid;
  for (const auto& d : book.deliveries())
    by_guid[d.guid].push_back(&d);
  judge_envelopes(v, book, by_guid);
  find_lost(v, book, to, by_guid);
  return v;
}

std::string describe(const delivery_verdict& v) {
  std::ostringstream out;
  out << "sends=" << v.sends << " ok=" << v.ok << " cut_off=" << v.cut_off
      << " refused=" << v.refused << " server_errors=" << v.server_errors
      << " timed_out=" << v.timed_out << " envelopes_delivered=" << v.envelopes
      << " deliveries=" << v.deliveries << " duplicates=" << v.duplicates
      << " in_doubt_delivered=" << v.in_doubt_delivered << " ws_acks=" << v.ws_acks
      << " confirmed_acks=" << v.confirmed_acks << " lost=" << v.lost << " invented=" << v.invented
      << " resurrected=" << v.resurrected;
  return out.str();
}

}  // namespace sealpost::testing
