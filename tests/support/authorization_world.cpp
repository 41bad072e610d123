// Builds the authorization matrix's fixture through the API.
#include "authorization_world.hpp"

#include <boost/json.hpp>
#include <stdexcept>

#include "http_client.hpp"

namespace sealpost::testing {

namespace json = boost::json;

std::string key_of(const device_login& d) {
  return d.account_id + "." + std::to_string(d.device_id);
}

json::object send_body(const std::vector<int>& devices, const std::string& text) {
  json::array messages;
  for (int d : devices) {
    messages.push_back(
        {{"device_id", d}, {"registration_id", 1234}, {"type", 1}, {"content", b64(text)}});
  }
  return {{"timestamp", 1700000000000}, {"messages", messages}};
}

std::map<int, std::string> send_to(std::uint16_t port, const device_login& from,
                                   const std::string& to, const std::vector<int>& devices,
                                   const std::string& text) {
  auto r =
      api_client(port, from).call(http::verb::put, "/v1/messages/" + to, send_body(devices, text));
  if (r.status != 200)
    throw std::runtime_error("send: " + r.body);
  std::map<int, std::string> out;
  const auto body = r.json();
  for (const auto& x : body.at("results").as_array()) {
    out[static_cast<int>(x.at("device_id").as_int64())] = std::string(x.at("guid").as_string());
  }
  return out;
}

void put_backup(std::uint16_t port, const device_login& who, const std::string& bytes) {
  auto r = http_client(port).request(
      http::verb::put, "/v1/backup", bytes,
      {{"Authorization", basic_auth(who.account_id, who.device_id, who.password)},
       {"Content-Type", "application/octet-stream"}});
  if (r.status != 204)
    throw std::runtime_error("backup: " + r.body);
}

namespace {

// A.1 to A.4, then A.1 removes A.3.
void make_account_a(std::uint16_t port, world& w) {
  w.a_username = unique_username("authz_a");
  w.a[1] = register_account(port, w.a_ids[1], w.a_username, kOneTimeKeys[1]);
  api_client a1(port, w.a[1]);
  for (int d = 2; d <= 4; ++d) {
    w.a[d] = link_device(port, a1, w.a_ids[d], static_cast<std::size_t>(kOneTimeKeys[d]));
    if (w.a[d].device_id != d)
      throw std::runtime_error("unexpected device id");
  }
  if (a1.call(http::verb::delete_, "/v1/devices/3").status != 204)
    throw std::runtime_error("removal failed");
}

}  // namespace

std::unique_ptr<world> make_world(std::uint16_t port, database_probe& db,
                                  const std::vector<std::string>& keep) {
  db.wipe_except(keep);
  auto w = std::make_unique<world>();
  make_account_a(port, *w);
  w->b1 = register_account(port, w->b1_id, unique_username("authz_b"), 7);
  for (const auto& [d, guid] : send_to(port, w->b1, w->A(), {1, 2, 4}, "seed for A")) {
    w->seeded[w->A() + "." + std::to_string(d)] = guid;
  }
  w->seeded[key_of(w->b1)] = send_to(port, w->a[1], w->B(), {1}, "seed for B").at(1);
  w->a_backup = "backup of A " + w->A();
  w->b_backup = "backup of B " + w->B();
  put_backup(port, w->a[1], w->a_backup);
  put_backup(port, w->b1, w->b_backup);
  return w;
}

}  // namespace sealpost::testing
