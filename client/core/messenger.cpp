// The messenger facade: each public call runs one job (enrolment, contacts, outbox, inbox,
// prekeys, backup, listening) as a transaction on the device's state.
#include "core/messenger.hpp"

#include "core/backup.hpp"
#include "core/clock.hpp"
#include "core/enrolment.hpp"
#include "core/history.hpp"
#include "core/listener.hpp"
#include "core/messenger_core.hpp"
#include "core/prekeys.hpp"
#include "core/reconnecting_listener.hpp"
#include "core/usernames.hpp"
#include "crypto/identity_key.hpp"
#include "net/errors.hpp"

namespace sealpost::client {
namespace {

void require_primary(const local_state& state, const char* to_do) {
  if (state.device_id != 1) {
    throw usage_error(std::string("only the primary device (device 1) can ") + to_do);
  }
}

device_info to_device_info(const net::device_entry& d, std::uint32_t this_device) {
  device_info info;
  info.device_id = d.device_id;
  info.registration_id = d.registration_id;
  if (const auto key = crypto::decode_identity_key(d.identity_key)) {
    info.identity_key = *key;
  }
  info.this_device = d.device_id == this_device;
  return info;
}

}  // namespace

// ---- construction ----

messenger::messenger(std::unique_ptr<messenger_core> core) : core_(std::move(core)) {}
messenger::messenger(messenger&&) noexcept = default;
messenger& messenger::operator=(messenger&&) noexcept = default;
messenger::~messenger() = default;

messenger messenger::register_account(const messenger_config& config, const std::string& username,
                                      const registration_options& options) {
  const std::string name = lowercase(username);
  if (!valid_username(name)) {
    throw usage_error("a username is 3-32 characters of a-z 0-9 _ . -");
  }
  std::unique_ptr<messenger_core> created =
      enrol_device(config, enrolment::new_account, options.one_time_prekeys,
                   [&](net::api_client& api, const net::new_device_request& r) {
                     return api.register_account(name, r, options.invite);
                   });
  created->store.state().username = name;
  created->store.save();
  return messenger(std::move(created));
}

messenger messenger::link_device(const messenger_config& config, const std::string& link_token,
                                 const std::optional<std::string>& username,
                                 const registration_options& options) {
  if (link_token.empty()) {
    throw usage_error("an empty link token");
  }
  std::unique_ptr<messenger_core> created =
      enrol_device(config, enrolment::linked_device, options.one_time_prekeys,
                   [&](net::api_client& api, const net::new_device_request& r) {
                     return api.link_device(link_token, r);
                   });
  // The username in the link code is only a claim: keep it if the directory agrees.
  if (username && valid_username(lowercase(*username))) {
    const std::string name = lowercase(*username);
    const std::optional<std::string> id = created->api.lookup_username(name);
    if (id && *id == created->store.state().account_id) {
      created->store.state().username = name;
      created->contacts.self();
    }
  }
  created->store.save();
  return messenger(std::move(created));
}

messenger messenger::open(const messenger_config& config) {
  return messenger(open_device(config));
}

// ---- accessors ----

std::string messenger::username() const {
  return core_->store.state().username;
}
std::string messenger::account_id() const {
  return core_->store.state().account_id;
}
std::uint32_t messenger::device_id() const {
  return core_->store.state().device_id;
}
std::string messenger::server_url() const {
  return core_->store.state().server_url;
}
crypto::typed_public_key messenger::identity_key() const {
  return core_->store.state().identity_key();
}
net::device_login messenger::login() const {
  return core_->store.login();
}

// ---- devices ----

net::link_token messenger::create_link_token() {
  return core_->store.transact([&] {
    require_primary(core_->store.state(), "link new devices");
    return core_->api.create_link_token();
  });
}

std::vector<device_info> messenger::devices() {
  return core_->store.transact([&] {
    const local_state& state = core_->store.state();
    const std::vector<net::device_entry> listed = core_->api.list_devices(state.account_id);
    core_->contacts.sync_devices(core_->contacts.self(), listed);
    std::vector<device_info> out;
    out.reserve(listed.size());
    for (const net::device_entry& d : listed) {
      out.push_back(to_device_info(d, state.device_id));
    }
    std::vector<listed_device> keys;
    keys.reserve(out.size());
    for (const device_info& d : out) {
      keys.push_back({d.device_id, d.registration_id, d.identity_key});
    }
    const std::set<std::uint32_t> unproven = core_->kt.unproven_devices(state.account_id, keys);
    for (device_info& d : out) {
      d.not_in_log = unproven.contains(d.device_id);
    }
    return out;
  });
}

std::string messenger::remove_device(std::uint32_t device_id) {
  return core_->store.transact([&] {
    core_->api.remove_device(device_id);
    if (device_id == core_->store.state().device_id) {
      return std::string();  // this device is gone: nothing of its own to check
    }
    core_->contacts.forget_device(core_->contacts.self(), device_id);
    return core_->kt.confirm_own_removal(device_id);
  });
}

void messenger::delete_account() {
  const state_file::lock guard = core_->store.lock_fresh();
  require_primary(core_->store.state(), "delete the account");
  core_->api.delete_account();
  core_->store.remove_files();
}

// ---- messages ----

send_report messenger::send(const std::string& recipient, std::string_view text) {
  return core_->store.transact([&] { return core_->out.send(recipient, text); });
}

receive_result messenger::process(std::span<const net::envelope> envelopes) {
  return core_->store.transact([&] { return core_->in.process(envelopes); });
}

receive_result messenger::receive_pending() {
  receive_result total;
  for (;;) {
    const net::poll_result page = core_->store.transact([&] { return core_->api.poll_messages(); });
    if (page.envelopes.empty()) {
      return total;
    }
    receive_result batch = process(page.envelopes);
    for (const net::guid& id : batch.acks) {
      try {
        core_->api.ack_message(id);
      } catch (const net::api_error& e) {
        if (e.status() != 404) {
          throw;  // 404: already gone, which is what an ack wants
        }
      }
    }
    append_result(total, std::move(batch));
    if (!page.more) {
      return total;
    }
  }
}

std::unique_ptr<net::websocket_client> messenger::connect() {
  return std::make_unique<net::websocket_client>(
      net::parse_server_url(core_->store.state().server_url), core_->store.login(),
      core_->store.connection_options());
}

listen_summary messenger::listen(net::websocket_client& socket, const listen_options& options,
                                 const listen_handlers& handlers) {
  listen_summary summary;
  listen_on_socket(*this, socket, options, handlers, refill_threshold(core_->store.config()),
                   summary);
  return summary;
}

listen_summary messenger::listen_forever(const listen_options& options,
                                         const listen_handlers& handlers,
                                         const reconnect_handlers& events) {
  return listen_with_reconnects(*this, options, handlers, events,
                                refill_threshold(core_->store.config()));
}

std::size_t messenger::replenish_prekeys() {
  return core_->store.transact([&] { return client::replenish_prekeys(core_->store, core_->api); });
}

// ---- trust ----

std::vector<safety_number> messenger::safety_numbers(const std::string& who) {
  return core_->store.transact([&] { return core_->contacts.safety_numbers(who); });
}

void messenger::verify(const std::string& who) {
  core_->store.transact([&] { core_->contacts.verify(who); });
}

privacy_settings messenger::privacy() {
  return core_->store.transact([&] { return core_->sealed.settings(); });
}

privacy_settings messenger::change_privacy(const privacy_change& change) {
  return core_->store.transact([&] {
    if (change.unrestricted || change.new_profile_key) {
      require_primary(core_->store.state(), "change who may send sealed messages to the account");
    }
    core_->sealed.change(change);
    return core_->sealed.settings();
  });
}

kt_check_report messenger::check_key_transparency() {
  return core_->store.transact([&] { return core_->kt.check_log(now_ms()); });
}

kt_status messenger::key_transparency_status() {
  return core_->store.inspect([&] { return core_->kt.status(); });
}

std::string messenger::key_transparency_evidence() {
  return core_->store.inspect([&] { return core_->kt.evidence_json(); });
}

std::vector<contact_info> messenger::contacts() {
  return core_->store.inspect([&] { return core_->contacts.list(); });
}

std::vector<history_entry> messenger::history(const std::string& who) {
  return core_->store.inspect(
      [&] { return history_with(core_->store.state(), core_->contacts.known_account(who)); });
}

// ---- backup ----

void messenger::backup(std::string_view backup_passphrase) {
  if (backup_passphrase.empty()) {
    throw usage_error("an empty backup passphrase");
  }
  core_->store.transact([&] {
    core_->api.put_backup(
        seal_backup(core_->store.state(), backup_passphrase, core_->store.config().kdf));
  });
}

restore_report messenger::restore_backup(std::string_view backup_passphrase) {
  return core_->store.transact([&] {
    const std::optional<net::byte_vector> blob = core_->api.get_backup();
    if (!blob) {
      throw usage_error("this account has no backup on the server");
    }
    local_state& state = core_->store.state();
    return merge_backup(state, open_backup(*blob, backup_passphrase, state.account_id),
                        core_->store.config().history_limit);
  });
}

}  // namespace sealpost::client
