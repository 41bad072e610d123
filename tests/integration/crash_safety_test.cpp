// Crash safety (issue 8): sends under load while the server is killed with SIGKILL and
// restarted, and while its Postgres crashes and comes back. Whatever happens, every send
// answered 200 is delivered at least once, nothing is delivered that no client sent, and an
// envelope whose ack the server confirmed never comes back.
//
// Load: three sender threads PUT envelopes with unique contents ("s<thread>-<n>#<device>")
// to both devices of one recipient over REST at a steady pace. Device 1 listens on a
// WebSocket and acks part of what it gets over the socket, part with a confirmed REST
// DELETE (204), and leaves the rest unacked; device 2 stays offline until the end. Every
// attempt, answer, delivery and confirmed ack goes into a ledger; at the end both devices
// are drained over WebSocket and the ledger is checked.
//
// The Postgres case runs the server against a private cluster of its own
// (scripts/local-postgres.sh, synchronous commit on), which it crashes, stops and starts
// while the rest of the suite keeps using the shared cluster.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api_client.hpp"
#include "net/websocket_frames.hpp"
#include "server_process.hpp"
#include "test_database.hpp"
#include "ws_client.hpp"

using namespace sealpost::testing;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

namespace {

// A request unanswered this long counts as a hang and fails the test: a database that is
// down must fail a request at once, not stall it until some timeout.
constexpr auto kRequestTimeout = 10s;
// Pause between two sends of one sender thread: at most 3 x 100 sends a second in all.
constexpr auto kSendPace = 10ms;
constexpr int kSenders = 3;

const std::map<std::string, std::string> kServerEnv{
    {"SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_BURST", "1000000"},
    {"SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_PER_MINUTE", "1000000"},
};

template <class Pred>
bool wait_until(Pred pred, clock_type::duration timeout) {
  const auto deadline = clock_type::now() + timeout;
  while (!pred()) {
    if (clock_type::now() >= deadline)
      return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

using sealpost::net::guid_text;

// ---------------------------------------------------------------------------------------
// An HTTP/1.1 client with a deadline on every request, which tells apart a refused
// connection (nothing was sent), a cut-off exchange (the request may or may not have been
// processed) and a request that got no answer in time (a hang: always a failure here).

struct reply {
  enum class kind { answered, refused, cut_off, timed_out };
  kind how = kind::refused;
  unsigned status = 0;
  std::string body;
};

class timed_http {
 public:
  reply request(std::uint16_t port, http::verb method, const std::string& target,
                const std::string& body, const std::string& authorization) {
    const auto deadline = clock_type::now() + kRequestTimeout;
    if (socket_ && socket_port_ != port)
      socket_.reset();  // the server moved: reconnect
    reply out;
    if (!socket_) {
      socket_.emplace(ioc_);
      boost::system::error_code ec;
      bool done = false;
      socket_->async_connect({asio::ip::make_address("127.0.0.1"), port},
                             [&](boost::system::error_code e) {
                               ec = e;
                               done = true;
                             });
      if (auto failed = settle(deadline, done, ec, reply::kind::refused)) {
        out.how = *failed;
        return out;
      }
      socket_port_ = port;
    }
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!authorization.empty())
      req.set(http::field::authorization, authorization);
    if (!body.empty())
      req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::response<http::string_body> res;
    boost::beast::flat_buffer buffer;
    boost::system::error_code ec;
    bool done = false;
    http::async_write(*socket_, req, [&](boost::system::error_code e, std::size_t) {
      if (e) {
        ec = e;
        done = true;
        return;
      }
      http::async_read(*socket_, buffer, res, [&](boost::system::error_code e2, std::size_t) {
        ec = e2;
        done = true;
      });
    });
    if (auto failed = settle(deadline, done, ec, reply::kind::cut_off)) {
      out.how = *failed;
      return out;
    }
    out.how = reply::kind::answered;
    out.status = res.result_int();
    out.body = res.body();
    if (!res.keep_alive())
      socket_.reset();
    return out;
  }

 private:
  // Runs the pending operation to its end: nullopt when it succeeded; timed_out when the
  // deadline passed first, `on_error` when it failed (either way the socket is dropped).
  std::optional<reply::kind> settle(clock_type::time_point deadline, const bool& done,
                                    const boost::system::error_code& ec, reply::kind on_error) {
    if (!run_until(deadline, done))
      return reply::kind::timed_out;
    if (ec) {
      socket_.reset();
      return on_error;
    }
    return std::nullopt;
  }

  // Runs the pending operation until it is done or the deadline passes; then the socket is
  // closed (aborting the operation) and false returned.
  bool run_until(clock_type::time_point deadline, const bool& done) {
    ioc_.restart();
    ioc_.run_until(deadline);
    if (done)
      return true;
    boost::system::error_code ignored;
    socket_->close(ignored);
    ioc_.restart();
    ioc_.run();
    socket_.reset();
    return false;
  }

  asio::io_context ioc_;
  std::optional<asio::ip::tcp::socket> socket_;
  std::uint16_t socket_port_ = 0;
};

// A 5xx with the API's JSON error body: {"error": "...", "message": "..."}.
bool is_clean_server_error(const reply& r) {
  if (r.how != reply::kind::answered || r.status < 500 || r.status > 599)
    return false;
  boost::system::error_code ec;
  const auto body = json::parse(r.body, ec);
  return !ec && body.is_object() && body.as_object().contains("error") &&
         body.as_object().at("error").is_string();
}

// ---------------------------------------------------------------------------------------
// The ledger: what clients attempted, what the server answered, what devices received.

struct attempt {
  std::string sender_account;
  clock_type::time_point started;
  clock_type::time_point finished;  // == started while the request is in flight
  bool done = false;
  reply answer;
  std::map<std::int32_t, std::string> guids;  // device -> guid, from a 200
};

struct delivery {
  std::string guid;  // canonical UUID text
  std::string content;
  std::int32_t device = 0;  // the device whose socket received it
  std::uint32_t destination_device = 0;
  std::string source_account;
  std::uint32_t source_device = 0;
  int connection = 0;  // which WebSocket connection of that device
  clock_type::time_point at;
};

class ledger {
 public:
  void begin(const std::string& key, const std::string& sender) {
    std::lock_guard lock(mutex_);
    auto& a = attempts_[key];
    a.sender_account = sender;
    a.started = a.finished = clock_type::now();
  }

  void finish(const std::string& key, const reply& r) {
    std::map<std::int32_t, std::string> guids;
    if (r.how == reply::kind::answered && r.status == 200) {
      // A 200 without well-formed results leaves no guids: the verdict reports it as lost.
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
    }
    std::lock_guard lock(mutex_);
    auto& a = attempts_.at(key);
    a.finished = clock_type::now();
    a.done = true;
    a.answer = r;
    a.guids = std::move(guids);
    if (r.how == reply::kind::answered && r.status == 200)
      ++ok_;
  }

  void delivered(const sealpost::v1::Envelope& e, std::int32_t device, int connection) {
    std::lock_guard lock(mutex_);
    deliveries_.push_back({guid_text(e.guid()), e.content(), device, e.destination_device(),
                           e.source_account(), e.source_device(), connection, clock_type::now()});
  }

  void ws_acked() {
    std::lock_guard lock(mutex_);
    ++ws_acks_;
  }
  void confirmed_ack(const std::string& guid) {
    std::lock_guard lock(mutex_);
    confirmed_acks_.emplace(guid, clock_type::now());
  }

  std::size_t ok_count() {
    std::lock_guard lock(mutex_);
    return ok_;
  }
  std::size_t delivery_count() {
    std::lock_guard lock(mutex_);
    return deliveries_.size();
  }
  // Sends started at or after `since` that have been answered (`only_ok`: with 200).
  std::size_t finished_since(clock_type::time_point since, bool only_ok) {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [key, a] : attempts_) {
      if (a.done && a.started >= since &&
          (!only_ok || (a.answer.how == reply::kind::answered && a.answer.status == 200))) {
        ++n;
      }
    }
    return n;
  }

  // Read only after the threads that write have been joined.
  const std::map<std::string, attempt>& attempts() const { return attempts_; }
  const std::vector<delivery>& deliveries() const { return deliveries_; }
  const std::map<std::string, clock_type::time_point>& confirmed_acks() const {
    return confirmed_acks_;
  }
  std::size_t ws_acks() const { return ws_acks_; }

 private:
  std::mutex mutex_;
  std::map<std::string, attempt> attempts_;  // by content key "s<thread>-<n>"
  std::vector<delivery> deliveries_;
  std::map<std::string, clock_type::time_point> confirmed_acks_;  // guid -> when confirmed
  std::size_t ok_ = 0;
  std::size_t ws_acks_ = 0;
};

// ---------------------------------------------------------------------------------------
// The load: sender threads and a receiving device, all following the server's current port.

struct recipient {
  device_login primary;    // listens during the run
  device_login secondary;  // offline until the final drain
};

class load {
 public:
  load(std::uint16_t port, const std::vector<device_login>& senders, recipient to, ledger& book,
       std::uint32_t seed)
      : port_(port), to_(std::move(to)), book_(book) {
    for (std::size_t i = 0; i < senders.size(); ++i) {
      threads_.emplace_back(
          [this, i, login = senders[i]] { send_loop(static_cast<int>(i), login); });
    }
    threads_.emplace_back([this, seed] { receive_loop(seed); });
  }
  ~load() { stop(); }
  load(const load&) = delete;
  load& operator=(const load&) = delete;

  void set_port(std::uint16_t port) { port_ = port; }
  int connections() const { return connections_; }

  // Holds the senders (once their requests in flight are answered) and closes the
  // receiver's socket, so that no client uses the server; resume() lets them go again.
  void pause() {
    paused_ = true;
    REQUIRE(wait_until([&] { return sending_ == 0 && !listening_; }, kRequestTimeout + 2s));
  }
  void resume() { paused_ = false; }

  void stop() {
    stopping_ = true;
    for (auto& t : threads_) {
      if (t.joinable())
        t.join();
    }
  }

 private:
  void send_loop(int index, const device_login& me) {
    timed_http client;
    const std::string auth = basic_auth(me.account_id, me.device_id, me.password);
    const std::string target = "/v1/messages/" + to_.primary.account_id;
    for (int n = 0; !stopping_; ++n) {
      if (paused_) {
        std::this_thread::sleep_for(5ms);
        continue;
      }
      ++sending_;
      if (paused_) {  // paused in between: pause() may already have seen sending_ == 0
        --sending_;
        continue;
      }
      const std::string key = "s" + std::to_string(index) + "-" + std::to_string(n);
      json::array messages;
      for (const auto device : {to_.primary.device_id, to_.secondary.device_id}) {
        messages.push_back({{"device_id", device},
                            {"registration_id", 1234},
                            {"type", 1},
                            {"content", b64(key + "#" + std::to_string(device))}});
      }
      const json::object body{{"timestamp", 1700000000000}, {"messages", std::move(messages)}};
      book_.begin(key, me.account_id);
      const auto r = client.request(port_, http::verb::put, target, json::serialize(body), auth);
      book_.finish(key, r);
      --sending_;
      // A pace, not a synchronisation: the load stays steady, and a sender whose server is
      // down (refused) does not spin.
      std::this_thread::sleep_for(r.how == reply::kind::answered ? kSendPace : 20ms);
    }
  }

  // Device 1: acks 60% over the socket, 20% with a REST DELETE (a 204 confirms the ack,
  // then it is acked over the socket too, to free the delivery window), leaves 20% unacked.
  void receive_loop(std::uint32_t seed) {
    std::mt19937 rng(seed);
    timed_http rest;
    const auto& me = to_.primary;
    const std::string auth = basic_auth(me.account_id, me.device_id, me.password);
    while (!stopping_) {
      if (paused_) {
        listening_ = false;
        std::this_thread::sleep_for(5ms);
        continue;
      }
      listening_ = true;
      std::unique_ptr<ws_client> ws;
      try {
        ws = std::make_unique<ws_client>(port_, me);
      } catch (const std::exception&) {
        std::this_thread::sleep_for(20ms);  // the server is down or not ready: retry
        continue;
      }
      const int connection = ++connections_;
      try {
        while (!stopping_ && !paused_) {
          // Quiet for a second (or closed): reconnect, as a client would.
          auto frame = ws->next(1s);
          if (!frame)
            break;
          if (!frame->has_delivery())
            continue;
          const auto& e = frame->delivery();
          book_.delivered(e, me.device_id, connection);
          const auto pick = rng() % 10;
          if (pick < 6) {
            ws->ack({e.guid()});
            book_.ws_acked();
          } else if (pick < 8) {
            const auto r = rest.request(port_, http::verb::delete_,
                                        "/v1/messages/" + guid_text(e.guid()), "", auth);
            if (r.how == reply::kind::answered && r.status == 204)
              book_.confirmed_ack(guid_text(e.guid()));
            ws->ack({e.guid()});
          }
        }
      } catch (const std::exception&) {
        // The socket died under a write (server killed): reconnect.
      }
      // Back off before reconnecting, as a client should: while the database is down the
      // server accepts a socket and closes it again at once.
      std::this_thread::sleep_for(20ms);
    }
  }

  std::atomic<std::uint16_t> port_;
  recipient to_;
  ledger& book_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> paused_{false};
  std::atomic<int> sending_{0};
  std::atomic<bool> listening_{true};
  std::atomic<int> connections_{0};
  std::vector<std::thread> threads_;
};

// Reads one device's queue until QueueEmpty over a new socket, acking everything as it
// comes (an unacked window would stall the backlog). Returns how many envelopes came.
std::size_t drain(std::uint16_t port, const device_login& device, ledger& book, int connection) {
  ws_client ws(port, device);
  std::size_t n = 0;
  for (;;) {
    auto frame = ws.next(10s);
    INFO("device " << device.device_id << " after " << n
                   << " envelopes: " << ws.last_error().message());
    REQUIRE(frame.has_value());
    if (frame->has_queue_empty())
      return n;
    if (!frame->has_delivery())
      continue;
    book.delivered(frame->delivery(), device.device_id, connection);
    ws.ack({frame->delivery().guid()});
    ++n;
  }
}

// Drains both devices of the recipient, then waits for the acks to take effect and checks
// that a new connection finds both queues empty.
void drain_all(std::uint16_t port, const recipient& to, ledger& book) {
  constexpr int kDrainConnection = 1'000'000;  // apart from the run's connection numbers
  for (const auto* device : {&to.primary, &to.secondary}) {
    drain(port, *device, book, kDrainConnection);
    api_client rest(port, *device);
    const bool emptied = wait_until(
        [&] {
          const auto polled = rest.get("/v1/messages").json();
          return polled.at("messages").as_array().empty();
        },
        10s);
    CHECK(emptied);
    CHECK(drain(port, *device, book, kDrainConnection + 1) == 0);
  }
}

// ---------------------------------------------------------------------------------------
// The verdict over the whole ledger.

struct verdict {
  std::size_t sends = 0, ok = 0, cut_off = 0, refused = 0, timed_out = 0, server_errors = 0,
              unclean_errors = 0, other_status = 0;
  std::size_t envelopes = 0, deliveries = 0, duplicates = 0, in_doubt_delivered = 0;
  std::size_t lost = 0, invented = 0, mismatched = 0, stored_twice = 0, same_socket_repeats = 0,
              resurrected = 0;
  std::size_t confirmed_acks = 0, ws_acks = 0;
  std::vector<std::string> problems;  // the first few, for the failure message

  void problem(const std::string& what) {
    if (problems.size() < 10)
      problems.push_back(what);
  }
  std::string problem_list() const {
    std::string out;
    for (const auto& p : problems)
      out += "\n  " + p;
    return out;
  }
};

verdict judge(const ledger& book, const recipient& to) {
  verdict v;
  v.confirmed_acks = book.confirmed_acks().size();
  v.ws_acks = book.ws_acks();
  for (const auto& [key, a] : book.attempts()) {
    ++v.sends;
    switch (a.answer.how) {
      case reply::kind::refused:
        ++v.refused;
        break;
      case reply::kind::cut_off:
        ++v.cut_off;
        break;
      case reply::kind::timed_out:
        ++v.timed_out;
        v.problem("send " + key + " got no answer within " +
                  std::to_string(kRequestTimeout.count()) + " s");
        break;
      case reply::kind::answered:
        if (a.answer.status == 200) {
          ++v.ok;
        } else if (a.answer.status >= 500) {
          ++v.server_errors;
          if (!is_clean_server_error(a.answer)) {
            ++v.unclean_errors;
            v.problem("send " + key + ": " + std::to_string(a.answer.status) +
                      " without a JSON error: " + a.answer.body);
          }
        } else {
          ++v.other_status;
          v.problem("send " + key + ": unexpected " + std::to_string(a.answer.status) + " " +
                    a.answer.body);
        }
        break;
    }
  }

  std::map<std::string, std::vector<const delivery*>> by_guid;
  for (const auto& d : book.deliveries())
    by_guid[d.guid].push_back(&d);
  std::map<std::string, std::set<std::string>> guids_by_content;
  for (const auto& [guid, copies] : by_guid) {
    ++v.envelopes;
    v.deliveries += copies.size();
    v.duplicates += copies.size() - 1;
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
    const auto& first = *copies.front();
    guids_by_content[first.content].insert(guid);
    // The content names the attempt and the device: "s<thread>-<n>#<device>".
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
      continue;
    }
    const auto& a = it->second;
    bool matches = true;
    for (const auto* d : copies) {
      matches = matches && d->content == first.content && d->device == device &&
                d->destination_device == static_cast<std::uint32_t>(device) &&
                d->source_account == a.sender_account && d->source_device == 1;
    }
    if (a.answer.how == reply::kind::answered && a.answer.status == 200) {
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
  for (const auto& [content, guids] : guids_by_content) {
    if (guids.size() > 1) {
      ++v.stored_twice;
      v.problem("one send stored twice: " + content);
    }
  }

  for (const auto& [key, a] : book.attempts()) {
    if (a.answer.how != reply::kind::answered || a.answer.status != 200)
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
  return v;
}

std::string describe(const verdict& v) {
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

// The checks both cases share.
void check_nothing_lost_or_invented(const verdict& v) {
  INFO(describe(v) << v.problem_list());
  CHECK(v.ok > 0);
  CHECK(v.lost == 0);
  CHECK(v.invented == 0);
  CHECK(v.mismatched == 0);
  CHECK(v.stored_twice == 0);
  CHECK(v.resurrected == 0);
  CHECK(v.same_socket_repeats == 0);
  CHECK(v.timed_out == 0);
  CHECK(v.unclean_errors == 0);
  CHECK(v.other_status == 0);
}

struct accounts {
  recipient to;
  std::vector<device_login> senders;
};

accounts register_accounts(std::uint16_t port) {
  accounts out;
  test_identity recipient_id, secondary_id;
  out.to.primary = register_account(port, recipient_id, unique_username("crash_rcpt"));
  api_client primary(port, out.to.primary);
  out.to.secondary = link_device(port, primary, secondary_id);
  for (int i = 0; i < kSenders; ++i) {
    test_identity id;
    out.senders.push_back(register_account(port, id, unique_username("crash_sender")));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// A private Postgres cluster (scripts/local-postgres.sh) that this test may crash at will
// without disturbing the tests that share the suite's cluster. Its data folder stays in the
// build tree between runs (initdb is slow); each run uses a fresh database in it and stops
// the cluster at the end.

class private_postgres {
 public:
  private_postgres() {
    const auto url = script("start");
    const auto db = "crash_" + std::to_string(std::random_device{}() % 1000000);
    admin_url_ = with_database(url, "postgres");
    pqxx::connection conn(admin_url_);
    pqxx::nontransaction tx(conn);
    tx.exec("CREATE DATABASE " + tx.quote_name(db));
    name_ = db;
    url_ = with_database(url, db);
  }
  ~private_postgres() {
    try {
      script("start");  // in case a failed check left it down
      pqxx::connection conn(admin_url_);
      pqxx::nontransaction tx(conn);
      tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
    } catch (...) {
      // A leftover database in the test's private cluster is harmless.
    }
    try {
      script("stop");
    } catch (...) {
    }
  }
  private_postgres(const private_postgres&) = delete;
  private_postgres& operator=(const private_postgres&) = delete;

  const std::string& url() const { return url_; }

  // Immediate shutdown: like a crash of the database server (no checkpoint).
  void crash() { script("kill"); }
  // Fast shutdown: sessions are terminated, then a clean checkpoint.
  void stop() { script("stop"); }
  void start() { script("start"); }

 private:
  // Runs local-postgres.sh CMD DIR --nofsync: synchronous commit stays on, so a commit that
  // Postgres confirmed survives its crash (--fast would make that a lie).
  static std::string script(const std::string& cmd) {
    const std::string line = std::string("'") + SEALPOST_SOURCE_DIR +
                             "/scripts/local-postgres.sh' " + cmd + " '" + SEALPOST_CRASH_PG_DIR +
                             "' --nofsync";
    int fds[2];
    if (pipe(fds) != 0)
      throw std::runtime_error("pipe failed");
    const pid_t pid = fork();
    if (pid < 0)
      throw std::runtime_error("fork failed");
    if (pid == 0) {
      // Not popen(): the postmaster that this starts would inherit every open socket of the
      // test (its WebSocket, say), keep it open for good, and the server would never see
      // the client go.
      dup2(fds[1], STDOUT_FILENO);
      dup2(fds[1], STDERR_FILENO);
      close_range(3, ~0U, 0);
      execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    std::string out;
    char buf[512];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
      out.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      throw std::runtime_error("local-postgres.sh " + cmd + " failed:\n" + out);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
      out.pop_back();
    return out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
  }

  // "postgresql:///NAME?params" with another database name.
  static std::string with_database(const std::string& url, const std::string& db) {
    const auto scheme_end = url.find("://");
    const auto path_start = url.find('/', scheme_end + 3);
    const auto query = url.find('?');
    if (scheme_end == std::string::npos || path_start == std::string::npos) {
      throw std::runtime_error("unexpected database URL: " + url);
    }
    return url.substr(0, path_start) + "/" + db +
           (query == std::string::npos ? "" : url.substr(query));
  }

  std::string admin_url_;
  std::string name_;
  std::string url_;
};

unsigned readyz(std::uint16_t admin_port, std::string* body = nullptr) {
  timed_http client;
  const auto r = client.request(admin_port, http::verb::get, "/readyz", "", "");
  if (body != nullptr)
    *body = r.body;
  return r.how == reply::kind::answered ? r.status : 0;
}

// A gauge from the admin listener's /metrics (-1 when it cannot be read).
double gauge(std::uint16_t admin_port, const std::string& name) {
  timed_http client;
  const auto r = client.request(admin_port, http::verb::get, "/metrics", "", "");
  if (r.how != reply::kind::answered || r.status != 200)
    return -1;
  std::istringstream lines(r.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + " ", 0) == 0)
      return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

}  // namespace

TEST_CASE("crash_safety: SIGKILL at random moments under load loses no acknowledged send",
          "[crash]") {
  constexpr int kKills = 5;
  const std::uint32_t seed = std::random_device{}();
  std::mt19937 rng(seed);
  INFO("seed " << seed);
  const auto began = clock_type::now();

  test_database db;
  server_process server(db.url(), kServerEnv);
  const auto who = register_accounts(server.port());
  ledger book;
  load traffic(server.port(), who.senders, who.to, book, seed);

  std::uniform_int_distribution<int> moment_ms(0, 1200);
  for (int kill = 0; kill < kKills; ++kill) {
    // Each run of the server serves sends and deliveries before it dies...
    const auto ok_before = book.ok_count();
    const auto delivered_before = book.delivery_count();
    REQUIRE(wait_until(
        [&] {
          return book.ok_count() >= ok_before + 30 && book.delivery_count() > delivered_before;
        },
        15s));
    // ...then is killed at a random moment under load (a random offset, not a wait for
    // anything), and started again on the same database.
    std::this_thread::sleep_for(std::chrono::milliseconds(moment_ms(rng)));
    INFO("kill " << kill + 1 << "\n" << server.log_tail());
    REQUIRE(server.kill_hard());
    server.restart();
    traffic.set_port(server.port());
  }
  const auto ok_before = book.ok_count();
  const bool served_after_last_restart =
      wait_until([&] { return book.ok_count() >= ok_before + 30; }, 15s);
  INFO(server.log_tail());
  REQUIRE(served_after_last_restart);
  traffic.stop();

  drain_all(server.port(), who.to, book);
  const auto v = judge(book, who.to);
  const auto seconds = std::chrono::duration<double>(clock_type::now() - began).count();
  std::cout << "crash_safety[sigkill]: kills=" << kKills
            << " ws_connections=" << traffic.connections() << " " << describe(v)
            << " seconds=" << seconds << " seed=" << seed << std::endl;
  check_nothing_lost_or_invented(v);
  // The server was gone each time; nothing else may fail a send.
  CHECK(v.server_errors == 0);
  CHECK(v.cut_off + v.refused > 0);
}

TEST_CASE(
    "crash_safety: Postgres restarts under load - readiness follows and nothing acknowledged is "
    "lost",
    "[crash]") {
  const std::uint32_t seed = std::random_device{}();
  INFO("seed " << seed);
  const auto began = clock_type::now();

  private_postgres pg;
  server_process server(pg.url(), kServerEnv);
  const pid_t pid = server.pid();
  REQUIRE(readyz(server.admin_port()) == 200);
  const auto who = register_accounts(server.port());
  ledger book;
  load traffic(server.port(), who.senders, who.to, book, seed);

  // 1. Postgres crashes (immediate shutdown: no checkpoint, crash recovery at the start).
  // 2. Postgres stops in an orderly way (fast shutdown: sessions are terminated).
  // 3. The same while no request comes in: every pooled connection goes stale at once and no
  //    failing request clears it out, yet the first probe and sends afterwards must succeed.
  struct outage {
    const char* how;
    bool crash = false;
    bool idle = false;
    clock_type::time_point stopping, down, restarting, ready, next;
    double not_ready_after_s = 0, ready_after_s = 0;
  };
  std::vector<outage> outages{{"immediate (crash)", true, false, {}, {}, {}, {}, {}},
                              {"fast", false, false, {}, {}, {}, {}, {}},
                              {"fast, server idle", false, true, {}, {}, {}, {}, {}}};
  for (auto& o : outages) {
    INFO("outage: " << o.how);
    const auto ok_before = book.ok_count();
    REQUIRE(wait_until([&] { return book.ok_count() >= ok_before + 30; }, 15s));
    if (o.idle) {
      traffic.pause();
      // The server has let go of the receiver's socket and finished every database job.
      double sockets = -1, jobs = -1;
      const bool quiet = wait_until(
          [&] {
            sockets = gauge(server.admin_port(), "sealpost_open_websockets");
            jobs = gauge(server.admin_port(), "sealpost_db_pool_in_use");
            return sockets == 0 && jobs == 0;
          },
          5s);
      INFO("open websockets " << sockets << ", database jobs " << jobs);
      REQUIRE(quiet);
    }

    o.stopping = clock_type::now();
    if (o.crash) {
      pg.crash();
    } else {
      pg.stop();
    }
    o.down = clock_type::now();

    // Readiness goes false within a few seconds, with the API's JSON error.
    std::string body;
    const bool not_ready =
        wait_until([&] { return readyz(server.admin_port(), &body) != 200; }, 5s);
    o.not_ready_after_s = std::chrono::duration<double>(clock_type::now() - o.down).count();
    CHECK(not_ready);
    CHECK(readyz(server.admin_port(), &body) == 503);
    CHECK(body.find("\"not_ready\"") != std::string::npos);
    // Sends keep being answered, with errors, while the database is away.
    if (!o.idle)
      CHECK(wait_until([&] { return book.finished_since(o.down, false) >= 10; }, 10s));
    CHECK(server.running());

    o.restarting = clock_type::now();
    pg.start();  // returns once Postgres accepts connections
    // Ready again without a restart of the server (when idle: at the first probe).
    const bool ready = o.idle ? readyz(server.admin_port()) == 200
                              : wait_until([&] { return readyz(server.admin_port()) == 200; }, 15s);
    o.ready = clock_type::now();
    if (o.idle)
      traffic.resume();
    o.ready_after_s = std::chrono::duration<double>(o.ready - o.restarting).count();
    INFO(server.log_tail());
    REQUIRE(ready);
    REQUIRE(server.running());
    CHECK(server.pid() == pid);
    // And sends succeed again.
    REQUIRE(wait_until([&] { return book.finished_since(o.ready, true) >= 30; }, 15s));
  }
  traffic.stop();
  for (std::size_t i = 0; i < outages.size(); ++i) {
    outages[i].next = i + 1 < outages.size() ? outages[i + 1].stopping : clock_type::now();
  }
  REQUIRE(server.running());
  CHECK(server.pid() == pid);

  drain_all(server.port(), who.to, book);
  const auto v = judge(book, who.to);

  // During each outage every send was answered, at once, with a clean 5xx; once /readyz was
  // back every send succeeded.
  std::size_t failed_cleanly = 0;
  for (const auto& o : outages) {
    INFO("outage: " << o.how);
    std::size_t during = 0, after = 0, after_ok = 0;
    for (const auto& [key, a] : book.attempts()) {
      if (a.started >= o.down && a.finished <= o.restarting) {
        ++during;
        INFO("send " << key << " during the outage: " << a.answer.status << " " << a.answer.body);
        CHECK(is_clean_server_error(a.answer));
        if (is_clean_server_error(a.answer))
          ++failed_cleanly;
      }
      // From readiness to the next outage (or the end of the load).
      if (a.started >= o.ready && a.finished <= o.next) {
        ++after;
        if (a.answer.how == reply::kind::answered && a.answer.status == 200)
          ++after_ok;
      }
    }
    CHECK((o.idle || during >= 10));
    CHECK(after > 0);
    CHECK(after_ok == after);
    std::cout << "crash_safety[postgres " << o.how << "]: readyz false after "
              << o.not_ready_after_s << " s, ready again " << o.ready_after_s
              << " s after restart; sends during outage=" << during << ", after recovery=" << after
              << " (ok " << after_ok << ")" << std::endl;
  }
  const auto seconds = std::chrono::duration<double>(clock_type::now() - began).count();
  std::cout << "crash_safety[postgres]: restarts=" << outages.size()
            << " failed_cleanly=" << failed_cleanly << " ws_connections=" << traffic.connections()
            << " " << describe(v) << " seconds=" << seconds << " seed=" << seed << std::endl;
  check_nothing_lost_or_invented(v);
  // The server process never went away.
  CHECK(v.refused == 0);
  CHECK(v.cut_off == 0);
}
