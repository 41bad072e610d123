// Certificate resource handlers.
#include "resources/certificates.hpp"

#include "crypto/base64.hpp"
#include "crypto/typed_key.hpp"
#include "resources/common.hpp"
#include "resources/storage_errors.hpp"
#include "sealed_sender/certificates.hpp"
#include "storage/account_repository.hpp"
#include "storage/message_repository.hpp"
#include "storage/transaction.hpp"

namespace sealpost::resources {
namespace {

namespace asio = boost::asio;
using net::http::status;

std::span<const std::uint8_t> as_bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// No authentication by design: a client fetches the root once and pins it.
asio::awaitable<net::response> trust_root(const sealed_sender::signing_keys& keys,
                                          net::request_context& ctx) {
  co_return net::json_response(ctx, status::ok,
                               {{"trust_root", crypto::base64_encode(keys.trust_root)}});
}

asio::awaitable<net::response> delivery_certificate(app::services& s,
                                                    const sealed_sender::signing_keys& keys,
                                                    net::request_context& ctx) {
  const auto& me = ctx.device();
  const auto identity_key = co_await storage::in_transaction(s.db, [&](pqxx::work& tx) {
    return storage::find_identity_key(tx, me.account_id, me.device_id);
  });
  if (!identity_key)
    fail_with(absent::calling_device);
  // The certificate carries the stored key byte for byte, and libsignal reads only 0x05 keys
  // there: a converted 0x0E key would be a key the device never registered.
  if (identity_key->empty() ||
      static_cast<std::uint8_t>(identity_key->front()) != crypto::curve25519_type_byte)
    fail(net::api_errc::conflict, "unsupported_identity_key",
         "delivery certificates carry 0x05 identity keys only; this device's is another type");
  const std::uint64_t expires =
      static_cast<std::uint64_t>(storage::now_ms()) + s.cfg.sealed_sender_certificate_ttl_ms;
  const auto certificate = sealed_sender::issue_sender_certificate(
      {me.account_id, static_cast<std::uint32_t>(me.device_id), as_bytes(*identity_key)}, expires,
      keys.server_certificate, keys.server_key);
  s.metrics.delivery_certificate_issued();
  co_return net::json_response(
      ctx, status::ok,
      {{"certificate", crypto::base64_encode(certificate)}, {"expires_at", expires}});
}

}  // namespace

void register_certificate_routes(net::router& routes, app::services& s) {
  if (s.sealed_sender == nullptr)
    return;
  const auto& keys = *s.sealed_sender;
  using net::http::verb;
  routes.add({verb::get, "/v1/certificate/trust-root",
              [&keys](auto& ctx) { return trust_root(keys, ctx); }, net::access::anyone});
  routes.add({verb::get, "/v1/certificate/delivery",
              [&s, &keys](auto& ctx) { return delivery_certificate(s, keys, ctx); }});
}

}  // namespace sealpost::resources
