// Message resource handlers.
#include "resources/messages.hpp"

#include "crypto/base64.hpp"
#include "model/ids.hpp"
#include "resources/common.hpp"
#include "resources/key_codec.hpp"
#include "resources/message_codec.hpp"
#include "resources/rate_limits.hpp"
#include "resources/storage_errors.hpp"
#include "sealed_sender/access_keys.hpp"
#include "storage/account_repository.hpp"
#include "storage/message_repository.hpp"
#include "storage/transaction.hpp"

namespace sealpost::resources {
namespace {

namespace asio = boost::asio;
using net::api_errc;
using net::http::status;

constexpr std::size_t kPollPage = 100;

// libsignal's CiphertextMessageType::SealedSender: the only type a sealed send may carry.
constexpr std::uint32_t kUnidentifiedSenderType = 6;

storage::send_request read_send(net::request_context& ctx, const auth::authenticated_device& me,
                                const config::server_config& cfg) {
  auto req = read_send_body(ctx.req.body(), cfg);
  req.sender = storage::envelope_source{me.account_id, me.device_id};
  req.recipient_account = account_param(ctx, "account_id");
  return req;
}

// Stores the envelopes of `req` in one statement, wakes the recipient's sockets and answers
// with the guids, for identified and sealed sends alike.
asio::awaitable<net::response> enqueue_and_answer(app::services& s, net::request_context& ctx,
                                                  const storage::send_request& req) {
  const storage::queue_limits limits{s.cfg.max_queue_per_device, s.cfg.message_ttl_ms};
  auto receipt = co_await storage::autocommit(s.db, [&](pqxx::nontransaction& tx) {
    auto result = storage::enqueue(tx, req, limits);
    if (!result)
      fail_with(result.error());
    return *result;
  });
  s.metrics.envelopes_enqueued(receipt.guids.size());
  for (const auto& [device_id, guid] : receipt.guids)
    s.wakeups.publish({delivery::wakeup_kind::messages, req.recipient_account, device_id});
  boost::json::array results;
  for (const auto& [device_id, guid] : receipt.guids)
    results.push_back({{"device_id", device_id}, {"guid", guid}});
  co_return net::json_response(
      ctx, status::ok,
      {{"server_timestamp", receipt.server_timestamp}, {"results", std::move(results)}});
}

// One answer for every refused key, so the route cannot tell whether an account exists.
[[noreturn]] void refuse_access_key() {
  fail(api_errc::unauthorized, "unauthorized",
       "the Unidentified-Access-Key does not allow sending to this account");
}

// A sealed send (DESIGN.md, "Single-recipient unidentified send"): no sender is known or
// stored, so the device set must name every device of the recipient. The key is checked
// only after the body, and before anything about the recipient's devices is revealed.
asio::awaitable<net::response> send_sealed(app::services& s, net::request_context& ctx) {
  const auto recipient = account_param(ctx, "account_id");
  auto req = read_send_body(ctx.req.body(), s.cfg);
  req.recipient_account = recipient;
  for (const auto& e : req.envelopes) {
    if (e.type != kUnidentifiedSenderType)
      net::throw_bad_field("messages[].type", "must be 6 (sealed sender) without credentials");
  }
  const auto header = ctx.req[net::kUnidentifiedAccessHeader];
  const auto presented =
      sealed_sender::parse_access_key_header(std::string_view(header.data(), header.size()));
  if (!presented)
    refuse_access_key();
  const auto access = co_await storage::in_transaction(s.db, [&](pqxx::work& tx) {
    return storage::find_unidentified_access(tx, req.recipient_account);
  });
  if (!access || !sealed_sender::admits(*access, *presented))
    refuse_access_key();
  co_return co_await enqueue_and_answer(s, ctx, req);
}

asio::awaitable<net::response> send_message(app::services& s, net::request_context& ctx) {
  if (ctx.unidentified)
    co_return co_await send_sealed(s, ctx);
  const auto& me = ctx.device();
  enforce(s.limits.messages_per_sender, me.account_id + "." + std::to_string(me.device_id));
  co_return co_await enqueue_and_answer(s, ctx, read_send(ctx, me, s.cfg));
}

boost::json::object envelope_json(const storage::stored_envelope& e) {
  return {
      {"guid", e.guid},
      {"source_account", e.source ? boost::json::value(e.source->account) : nullptr},
      {"source_device", e.source ? boost::json::value(e.source->device) : nullptr},
      {"destination_device", e.destination_device},
      {"type", e.type},
      {"content", crypto::base64_encode(
                      {reinterpret_cast<const std::uint8_t*>(e.content.data()), e.content.size()})},
      {"client_timestamp", e.client_timestamp},
      {"server_timestamp", e.server_timestamp}};
}

asio::awaitable<net::response> poll_messages(app::services& s, net::request_context& ctx) {
  const auto& me = ctx.device();
  auto page = co_await storage::in_transaction(s.db, [&](pqxx::work& tx) {
    return storage::fetch_envelopes(tx, me.account_id, me.device_id, 0, kPollPage + 1);
  });
  const bool more = page.size() > kPollPage;
  if (more)
    page.pop_back();
  boost::json::array messages;
  for (const auto& e : page)
    messages.push_back(envelope_json(e));
  co_return net::json_response(ctx, status::ok,
                               {{"messages", std::move(messages)}, {"more", more}});
}

asio::awaitable<net::response> ack_message(app::services& s, net::request_context& ctx) {
  const auto& me = ctx.device();
  const std::string guid(ctx.param("guid"));
  if (!model::is_canonical_uuid(guid))
    fail(api_errc::not_found, "message_not_found", "no such message");
  const auto deleted = co_await s.db.run([&](pqxx::connection& conn) {
    return storage::delete_envelopes(conn, me.account_id, me.device_id, {guid},
                                     storage::ack_commit::flushed);
  });
  if (deleted == 0)
    fail_with(absent::queued_message);
  s.metrics.envelopes_acked(deleted);
  co_return net::empty_response(ctx, status::no_content);
}

}  // namespace

void register_message_routes(net::router& routes, app::services& s) {
  using net::http::verb;
  const auto send_limit = static_cast<std::size_t>(s.cfg.max_send_body_bytes());
  routes.add({.method = verb::put,
              .pattern = "/v1/messages/{account_id}",
              .handle = [&s](auto& ctx) { return send_message(s, ctx); },
              .who = net::access::device_or_unidentified,
              .body_limit = send_limit});
  routes.add({verb::get, "/v1/messages", [&s](auto& ctx) { return poll_messages(s, ctx); }});
  routes.add(
      {verb::delete_, "/v1/messages/{guid}", [&s](auto& ctx) { return ack_message(s, ctx); }});
}

}  // namespace sealpost::resources
