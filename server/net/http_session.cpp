// The HTTP session loop. Parse errors answer 400/413/431 and close; network errors and
// timeouts just close; handler exceptions answer a generic 500 and are logged with details.
#include "net/http_session.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>
#include <optional>
#include <random>

#include "metrics/metrics.hpp"
#include "net/api_error.hpp"
#include "net/client_address.hpp"
#include "net/request_context.hpp"
#include "net/request_error.hpp"
#include "storage/db_pool.hpp"
#include "util/log.hpp"

namespace sealpost::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string next_request_id() {
  // A random per-process prefix and a counter: unique across nodes, cheap per request.
  static const std::uint64_t prefix = std::random_device{}() & 0xffffffU;
  static std::atomic<std::uint64_t> counter{0};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llx-%llx", static_cast<unsigned long long>(prefix),
                static_cast<unsigned long long>(counter.fetch_add(1) + 1));
  return buf;
}

bool is_protocol_error(const boost::system::error_code& ec) {
  return ec.category() == beast::http::make_error_code(http::error::bad_target).category();
}

// The answer to a request that could not be parsed, or nullopt when the connection should
// just close (the peer went away or timed out).
std::optional<api_error> parse_failure(const boost::system::error_code& ec) {
  if (ec == http::error::header_limit) {
    return api_error{api_errc::headers_too_large, "headers_too_large",
                     "request header block exceeds http.max_header_bytes"};
  }
  if (ec == http::error::body_limit) {
    return api_error{api_errc::payload_too_large, "payload_too_large",
                     "request body exceeds this endpoint's limit"};
  }
  if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
      ec == beast::error::timeout || !is_protocol_error(ec)) {
    return std::nullopt;
  }
  return api_error{api_errc::bad_request, "malformed_request", "the HTTP request is malformed"};
}

std::string allow_header(const std::vector<http::verb>& verbs) {
  std::string allow;
  for (auto v : verbs) {
    if (!allow.empty())
      allow += ", ";
    allow += std::string(http::to_string(v));
  }
  return allow;
}

// Runs the matched route's handler; never throws.
asio::awaitable<response> dispatch(const request& req, route_match m,
                                   request_context::caller_info who, const std::string& request_id,
                                   std::string& route_label) {
  if (m.matched == nullptr) {
    route_label = "unmatched";
    if (m.allowed.empty()) {
      co_return error_response({api_errc::not_found, "not_found", "no such resource"},
                               req.version(), req.keep_alive());
    }
    auto res = error_response(
        {api_errc::method_not_allowed, "method_not_allowed", "method not allowed on this resource"},
        req.version(), req.keep_alive());
    res.set(http::field::allow, allow_header(m.allowed));
    co_return res;
  }
  route_label = m.matched->pattern;
  request_context ctx{req,        std::move(m.params),   who.address,
                      request_id, std::move(who.device), who.unidentified};
  try {
    co_return co_await m.matched->handle(ctx);
  } catch (const request_error& e) {
    co_return error_response(e.error(), req.version(), req.keep_alive());
  } catch (const std::exception& e) {
    if (storage::is_database_unavailable(e)) {
      log::warn("database_unavailable", {{"request_id", request_id}, {"route", route_label}});
      co_return error_response(database_unavailable(), req.version(), req.keep_alive());
    }
    log::error("handler_failed",
               {{"request_id", request_id}, {"route", route_label}, {"what", e.what()}});
  }
  co_return error_response({api_errc::internal, "internal_error", "internal server error"},
                           req.version(), false);
}

api_error body_budget_exhausted() {
  return {api_errc::not_ready,
          "server_busy",
          "too many request bodies are being received right now; try again shortly",
          {},
          std::chrono::seconds(1)};
}

api_error too_many_connections() {
  return {api_errc::too_many_requests,
          "too_many_connections",
          "this client holds http.max_connections_per_ip connections already",
          {},
          std::chrono::seconds(1)};
}

// The bytes a request's body may take in memory: its declared length, or for a chunked body
// the route's limit (the most it may grow to); 0 when it has none.
std::uint64_t expected_body_bytes(const http::request_parser<http::empty_body>& head,
                                  std::size_t limit) {
  if (head.content_length())
    return *head.content_length();
  return head.chunked() ? limit : 0;
}

bool expects_continue(const http::request_header<>& header) {
  return beast::iequals(header[http::field::expect], "100-continue");
}

// Stream is plain_stream or tls_stream (handshake already done).
template <class Stream>
class http_session {
 public:
  http_session(Stream stream, session_env env, connection_lease lease)
      : stream_(std::move(stream)), env_(env), lease_(std::move(lease)) {
    boost::system::error_code ec;
    auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec)
      peer_ = endpoint.address();
  }

  asio::awaitable<void> run() {
    while (!env_.life.stopping()) {
      const bool keep_going = co_await serve_one();
      if (!keep_going)
        break;
    }
    if (upgraded_)
      co_return;
    co_await shut_down();
  }

 private:
  // What is known of a request once its header is read.
  struct request_head {
    http::verb method;
    std::string route_label = "unmatched";
    std::chrono::steady_clock::time_point started;
  };

  asio::awaitable<void> shut_down() {
    if constexpr (std::is_same_v<Stream, tls_stream>) {
      beast::get_lowest_layer(stream_).expires_after(env_.cfg.write_timeout());
      co_await stream_.async_shutdown(use_tuple);
    } else {
      boost::system::error_code ignored;
      stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    }
  }

  // Serves one request; false when the connection should close. Everything that can refuse
  // a request from its header alone (the client's connection cap, a declared body over the
  // limit, credentials, the server-wide body budget) does so before the body is read.
  asio::awaitable<bool> serve_one() {
    http::request_parser<http::empty_body> head;
    head.header_limit(static_cast<std::uint32_t>(env_.cfg.http_max_header_bytes));
    // The body limit depends on the route, known only after the header: checked below.
    head.body_limit(boost::none);
    beast::get_lowest_layer(stream_).expires_after(env_.cfg.idle_timeout());
    auto [ec, n] = co_await http::async_read_header(stream_, buffer_, head, use_tuple);
    if (ec)
      co_return co_await answer_parse_failure(ec);

    lifecycle::request_scope in_flight(env_.life);
    request_head info{head.get().method(), "unmatched", std::chrono::steady_clock::now()};
    request_context::caller_info who{client_address(peer_, head.get(), env_.cfg.trusted_proxies)};
    if (!lease_->count_as(env_.life, limit_key(who.address), env_.max_connections_per_ip)) {
      env_.metrics.connection_refused("max_connections_per_ip");
      co_return co_await refuse(info, too_many_connections());
    }
    route_match m = env_.routes.match(head.get().method(), head.get().target());
    if (m.matched)
      info.route_label = m.matched->pattern;
    const std::size_t limit = (m.matched && m.matched->body_limit)
                                  ? *m.matched->body_limit
                                  : static_cast<std::size_t>(env_.cfg.http_max_body_bytes);

    // Beast checks a declared Content-Length against the limit only while parsing the
    // header, which happened before the route (and so the limit) was known.
    if (head.content_length() && *head.content_length() > limit) {
      co_return co_await answer_parse_failure(http::error::body_limit);
    }
    if (m.matched) {
      auto refusal = co_await admit(m.matched->who, head.get(), who);
      if (refusal)
        co_return co_await refuse(info, *refusal);
    }
    std::optional<body_budget::reservation> body_memory;
    if (const auto bytes = expected_body_bytes(head, limit); bytes > 0 && env_.bodies != nullptr) {
      body_memory = env_.bodies->try_reserve(bytes);
      if (!body_memory) {
        env_.metrics.body_budget_refused();
        co_return co_await refuse(info, body_budget_exhausted());
      }
    }
    if (expects_continue(head.get()) && !co_await write_continue(head.get().version()))
      co_return false;

    http::request_parser<http::string_body> parser(std::move(head));
    parser.body_limit(limit);
    beast::get_lowest_layer(stream_).expires_after(env_.cfg.read_timeout());
    auto [body_ec, body_n] = co_await http::async_read(stream_, buffer_, parser, use_tuple);
    if (body_ec)
      co_return co_await answer_parse_failure(body_ec);

    request req = parser.release();
    if (env_.upgrade && path_of(req.target()) == kWebSocketPath &&
        boost::beast::websocket::is_upgrade(req)) {
      // The WebSocket session owns the connection from here on.
      auto answered = [this, started = info.started](unsigned status) {
        env_.metrics.observe_request(kWebSocketPath, "GET", status,
                                     std::chrono::steady_clock::now() - started);
      };
      co_await env_.upgrade(any_stream(std::move(stream_)), std::move(req), who.address, answered,
                            std::move(*lease_));
      upgraded_ = true;
      co_return false;
    }
    const std::string request_id = next_request_id();
    response res =
        co_await dispatch(req, std::move(m), std::move(who), request_id, info.route_label);
    body_memory.reset();  // the handler is done with the body
    co_return co_await answer(info, res, request_id);
  }

  // Who the header says the caller is, as the route requires; the refusal when it fails.
  // Sealed-sender routes: both headers is 400, neither is 401 (DESIGN.md's error order).
  asio::awaitable<std::optional<api_error>> admit(access who_may,
                                                  const http::request_header<>& header,
                                                  request_context::caller_info& who) {
    if (who_may == access::anyone)
      co_return std::nullopt;
    if (who_may == access::device)
      co_return co_await authenticate(header, who);
    const bool credentials = header.find(http::field::authorization) != header.end();
    const bool access_key = header.find(kUnidentifiedAccessHeader) != header.end();
    if (credentials && (access_key || who_may == access::unidentified))
      co_return api_error{api_errc::bad_request, "invalid_request",
                          who_may == access::unidentified
                              ? "this route takes Unidentified-Access-Key, not Authorization"
                              : "send Authorization or Unidentified-Access-Key, not both"};
    if (credentials)
      co_return co_await authenticate(header, who);
    if (!access_key || !env_.admit_unidentified)
      co_return api_error{api_errc::unauthorized, "unauthorized",
                          "HTTP Basic credentials or an Unidentified-Access-Key are required"};
    try {
      env_.admit_unidentified(who.address);
    } catch (const request_error& e) {
      co_return e.error();
    }
    who.unidentified = true;
    co_return std::nullopt;
  }

  // Checks the request's credentials from its header; the refusal when they fail.
  asio::awaitable<std::optional<api_error>> authenticate(const http::request_header<>& header,
                                                         request_context::caller_info& who) {
    if (!env_.authenticate)
      co_return api_error{api_errc::internal, "internal_error", "internal server error"};
    try {
      who.device = co_await env_.authenticate(header[http::field::authorization], who.address);
      co_return std::nullopt;
    } catch (const request_error& e) {
      co_return e.error();
    } catch (const std::exception& e) {
      if (storage::is_database_unavailable(e))
        co_return database_unavailable();
      log::error("authentication_failed", {{"what", e.what()}});
    }
    co_return api_error{api_errc::internal, "internal_error", "internal server error"};
  }

  // Answers a request refused from its header alone, and closes the connection: its body
  // (if any) is never read, so the connection cannot carry another request.
  asio::awaitable<bool> refuse(request_head& info, const api_error& err) {
    response res = error_response(err, 11, false);
    co_await answer(info, res, next_request_id());
    co_return false;
  }

  // Writes the response, counts it and logs it; true when the connection may carry another.
  asio::awaitable<bool> answer(const request_head& info, response& res,
                               const std::string& request_id) {
    res.set("X-Request-Id", request_id);
    if (env_.life.stopping())
      res.keep_alive(false);
    const bool ok = co_await write(res);
    const auto elapsed = std::chrono::steady_clock::now() - info.started;
    env_.metrics.observe_request(info.route_label, http::to_string(info.method), res.result_int(),
                                 elapsed);
    // Access log: every request at debug, server errors at warn. Never bodies or headers.
    const auto level = res.result_int() >= 500 ? log::level::warn : log::level::debug;
    if (log::enabled(level)) {
      log::write(level, "request",
                 {{"request_id", request_id},
                  {"method", std::string(http::to_string(info.method))},
                  {"route", info.route_label},
                  {"status", res.result_int()},
                  {"duration_us",
                   std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()}});
    }
    co_return ok&& res.keep_alive();
  }

  asio::awaitable<bool> answer_parse_failure(const boost::system::error_code& ec) {
    if (auto err = parse_failure(ec)) {
      response res = error_response(*err, 11, false);
      co_await write(res);
      env_.metrics.observe_request("unparsed", "", res.result_int(), {});
    }
    co_return false;
  }

  // "100 Continue": the client waits for it before sending a body it announced with
  // `Expect: 100-continue`, so it is sent only once the request may proceed.
  asio::awaitable<bool> write_continue(unsigned version) {
    http::response<http::empty_body> interim{http::status::continue_, version};
    beast::get_lowest_layer(stream_).expires_after(env_.cfg.write_timeout());
    auto [ec, n] = co_await http::async_write(stream_, interim, use_tuple);
    co_return !ec;
  }

  asio::awaitable<bool> write(response& res) {
    res.prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(env_.cfg.write_timeout());
    auto [ec, n] = co_await http::async_write(stream_, res, use_tuple);
    co_return !ec;
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  session_env env_;
  asio::ip::address peer_;  // the TCP peer: the client, or a reverse proxy in front of it
  std::optional<connection_lease> lease_;  // handed on to the WebSocket session on upgrade
  bool upgraded_ = false;
};

// A TLS connection: anything that is not a TLS handshake (a plain-HTTP client, say) gets a
// short plain-text 400 naming the problem and the connection is closed.
asio::awaitable<void> serve_tls(asio::ip::tcp::socket socket, const session_env& env,
                                connection_lease lease) {
  plain_stream plain(std::move(socket));
  beast::flat_buffer buffer;
  plain.expires_after(env.cfg.read_timeout());
  auto [detect_ec, is_tls] = co_await beast::async_detect_ssl(plain, buffer, use_tuple);
  if (detect_ec)
    co_return;
  if (!is_tls) {
    response res = error_response(
        {api_errc::bad_request, "tls_required", "this port speaks HTTPS only"}, 11, false);
    co_await http::async_write(plain, res, use_tuple);
    boost::system::error_code ignored;
    plain.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    co_return;
  }
  tls_stream stream(std::move(plain), *env.tls);
  auto [hs_ec, used] =
      co_await stream.async_handshake(asio::ssl::stream_base::server, buffer.data(), use_tuple);
  if (hs_ec) {
    log::debug("tls_handshake_failed", {{"error", hs_ec.message()}});
    co_return;
  }
  http_session<tls_stream> session(std::move(stream), env, std::move(lease));
  co_await session.run();
}

}  // namespace

connection_lease::connection_lease(lifecycle::connection_ticket ticket, metrics::registry& metrics)
    : ticket_(std::move(ticket)), metrics_(&metrics) {
  metrics_->connection_opened();
}

connection_lease::connection_lease(connection_lease&& other) noexcept
    : ticket_(std::move(other.ticket_)), metrics_(std::exchange(other.metrics_, nullptr)) {}

bool connection_lease::count_as(lifecycle& life, const asio::ip::address& client,
                                std::size_t max_per_ip) {
  return life.recount(ticket_, client, max_per_ip);
}

connection_lease::~connection_lease() {
  if (metrics_ != nullptr)
    metrics_->connection_closed();
}

asio::awaitable<void> run_http_session(asio::ip::tcp::socket socket,
                                       lifecycle::connection_ticket ticket, session_env env) {
  connection_lease lease(std::move(ticket), env.metrics);
  try {
    if (env.tls != nullptr) {
      co_await serve_tls(std::move(socket), env, std::move(lease));
    } else {
      http_session<plain_stream> session(plain_stream(std::move(socket)), env, std::move(lease));
      co_await session.run();
    }
  } catch (const std::exception& e) {
    log::error("session_failed", {{"what", e.what()}});
  }
}

}  // namespace sealpost::net
