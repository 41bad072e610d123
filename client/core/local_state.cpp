// local_state <-> LocalState / Backup protobuf, every field of decoded bytes checked, and
// every secret field of the intermediate protobuf messages wiped before it is freed.
#include "core/local_state.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <climits>

#include "core/errors.hpp"
#include "crypto/identity_key.hpp"
#include "sealpost/v1/client_state.pb.h"

namespace sealpost::client {
namespace {

constexpr std::uint32_t state_version = 1;
constexpr std::uint32_t backup_version = 1;

std::span<const std::uint8_t> bytes_of(const std::string& field) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(field.data()), field.size()};
}

void assign(std::string* field, std::span<const std::uint8_t> bytes) {
  field->assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

void wipe(std::string* field) noexcept {
  if (!field->empty()) {
    OPENSSL_cleanse(field->data(), field->size());
  }
}

void wipe_history(google::protobuf::RepeatedPtrField<v1::HistoryEntry>& history) noexcept {
  for (v1::HistoryEntry& entry : history) {
    wipe(entry.mutable_text());
  }
}

// Wipes what the state's protobuf copy holds of secrets (keys, password, session states,
// message texts) when it goes out of scope, on every path.
class state_wiper {
 public:
  explicit state_wiper(v1::LocalState& state) noexcept : state_(state) {}
  state_wiper(const state_wiper&) = delete;
  state_wiper& operator=(const state_wiper&) = delete;
  ~state_wiper() {
    wipe(state_.mutable_password());
    wipe(state_.mutable_identity_seed());
    wipe(state_.mutable_profile_key());
    for (v1::StoredPrekey& key : *state_.mutable_signed_prekeys()) {
      wipe(key.mutable_private_key());
    }
    for (v1::StoredPrekey& key : *state_.mutable_one_time_prekeys()) {
      wipe(key.mutable_private_key());
    }
    for (v1::SessionRecord& record : *state_.mutable_sessions()) {
      for (std::string& session : *record.mutable_states()) {
        wipe(&session);
      }
    }
    for (v1::Contact& contact : *state_.mutable_contacts()) {
      wipe(contact.mutable_access_key());
    }
    wipe_history(*state_.mutable_history());
  }

 private:
  v1::LocalState& state_;
};

class backup_wiper {
 public:
  explicit backup_wiper(v1::Backup& backup) noexcept : backup_(backup) {}
  backup_wiper(const backup_wiper&) = delete;
  backup_wiper& operator=(const backup_wiper&) = delete;
  ~backup_wiper() { wipe_history(*backup_.mutable_history()); }

 private:
  v1::Backup& backup_;
};

[[noreturn]] void corrupt(const std::string& what) {
  throw state_error(state_error::kind::corrupt, "the state is damaged: " + what);
}

template <typename Message>
crypto::secret_bytes<> serialize_secret(const Message& message) {
  crypto::secret_bytes<> out(message.ByteSizeLong());
  message.SerializeWithCachedSizesToArray(out.data());
  return out;
}

template <typename Message>
void parse(Message& message, std::span<const std::uint8_t> bytes, const char* what) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX) ||
      !message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    corrupt(std::string("undecodable ") + what);
  }
}

void write_prekey(const stored_prekey& key, v1::StoredPrekey& out) {
  out.set_key_id(key.key_id);
  assign(out.mutable_private_key(), key.key_pair.private_key.view());
  out.set_created_at(key.created_at_ms);
}

stored_prekey read_prekey(const v1::StoredPrekey& in) {
  if (in.private_key().size() != crypto::x25519_key_size) {
    corrupt("a prekey of the wrong size");
  }
  stored_prekey key;
  key.key_id = in.key_id();
  key.key_pair.private_key = crypto::x25519_private_key(bytes_of(in.private_key()));
  key.key_pair.public_key = crypto::x25519_public_from_private(key.key_pair.private_key);
  key.created_at_ms = in.created_at();
  return key;
}

void write_sealed_sender(const local_state& state, v1::LocalState& proto) {
  if (state.profile_key) {
    assign(proto.mutable_profile_key(), state.profile_key->view());
  }
  if (state.trust_root) {
    assign(proto.mutable_trust_root(), *state.trust_root);
  }
  if (state.delivery_certificate) {
    assign(proto.mutable_delivery_certificate(), state.delivery_certificate->certificate);
    proto.set_delivery_certificate_expires(state.delivery_certificate->expires_at_ms);
  }
}

// Every field is optional: states written before sealed sender have none of them.
void read_sealed_sender(const v1::LocalState& proto, local_state& state) {
  if (!proto.profile_key().empty()) {
    if (proto.profile_key().size() != crypto::profile_key_size) {
      corrupt("a profile key of the wrong size");
    }
    state.profile_key = crypto::profile_key(bytes_of(proto.profile_key()));
  }
  if (!proto.trust_root().empty()) {
    const std::span<const std::uint8_t> root = bytes_of(proto.trust_root());
    if (root.size() != crypto::typed_key_size || root[0] != crypto::curve25519_key_type) {
      corrupt("a trust root that is not 0x05 || 32 bytes");
    }
    state.trust_root.emplace();
    std::copy(root.begin(), root.end(), state.trust_root->begin());
  }
  if (!proto.delivery_certificate().empty()) {
    const std::span<const std::uint8_t> certificate = bytes_of(proto.delivery_certificate());
    state.delivery_certificate = net::delivery_certificate{{certificate.begin(), certificate.end()},
                                                           proto.delivery_certificate_expires()};
  }
}

void write_map_entries(const std::vector<keytrans::kt_map_entry>& entries,
                       google::protobuf::RepeatedPtrField<v1::KtMapEntry>& out) {
  for (const keytrans::kt_map_entry& e : entries) {
    v1::KtMapEntry& entry = *out.Add();
    entry.set_position(e.position);
    entry.set_version(e.version);
    for (const auto& [version, commitment] : e.commitments) {
      v1::KtVersion& c = *entry.add_commitments();
      c.set_version(version);
      assign(c.mutable_commitment(), commitment);
    }
  }
}

void write_owner_state(const keytrans::kt_owner_state& owner, v1::KtOwner& out) {
  out.set_start(owner.start);
  for (const auto& [version, held] : owner.versions) {
    v1::KtVersion& v = *out.add_versions();
    v.set_version(version);
    v.set_position(held.position);
    assign(v.mutable_commitment(), held.commitment);
  }
  write_map_entries(owner.entries, *out.mutable_entries());
}

void write_owner(const keytrans::kt_owner_state& owner,
                 const std::vector<keytrans::kt_device>& devices, v1::KtOwner& out) {
  write_owner_state(owner, out);
  const std::optional<keytrans::bytes> value = keytrans::encode_device_list(devices);
  if (!value) {
    throw std::logic_error("an own device list that cannot be encoded");
  }
  assign(out.mutable_value(), *value);
}

void write_key_transparency(const kt_view& kt, v1::LocalState& proto) {
  if (kt.configuration.empty()) {
    return;
  }
  v1::KtState& out = *proto.mutable_key_transparency();
  assign(out.mutable_configuration(), kt.configuration);
  out.set_tree_size(kt.retained.tree_size);
  for (const keytrans::log_hash& head : kt.retained.full_subtrees) {
    assign(out.add_full_subtrees(), head);
  }
  for (const keytrans::kt_entry& e : kt.retained.frontier) {
    v1::KtLogEntry& entry = *out.add_frontier();
    entry.set_position(e.position);
    entry.set_timestamp(e.timestamp);
    assign(entry.mutable_prefix_root(), e.prefix_root);
  }
  out.set_last_check(kt.last_check_ms);
  out.set_last_verified(kt.last_verified);
  out.set_failure(kt.failure);
  for (const std::string& answer : kt.evidence) {
    out.add_evidence(answer);
  }
  if (kt.owner) {
    write_owner(*kt.owner, kt.own_devices, *out.mutable_owner());
  }
  if (kt.username_owner) {
    write_owner_state(*kt.username_owner, *out.mutable_username_owner());
    out.set_own_username_account(kt.own_username_account);
  }
  for (const auto& [account_id, proven] : kt.accounts) {
    v1::KtAccount& account = *out.add_accounts();
    account.set_account_id(account_id);
    account.set_version(proven.version);
    const std::optional<keytrans::bytes> value = keytrans::encode_device_list(proven.devices);
    if (!value) {
      throw std::logic_error("a proven device list that cannot be encoded");
    }
    assign(account.mutable_value(), *value);
    write_map_entries(proven.entries, *account.mutable_entries());
  }
  for (const auto& [username, proven] : kt.usernames) {
    v1::KtUsername& name = *out.add_usernames();
    name.set_username(username);
    name.set_account_id(proven.account_id);
    name.set_version(proven.version);
    write_map_entries(proven.entries, *name.mutable_entries());
  }
}

keytrans::log_hash read_hash(const std::string& field) {
  keytrans::log_hash hash{};
  if (field.size() != hash.size()) {
    corrupt("a key-transparency hash of the wrong size");
  }
  std::copy(field.begin(), field.end(), hash.begin());
  return hash;
}

std::vector<keytrans::kt_map_entry> read_map_entries(
    const google::protobuf::RepeatedPtrField<v1::KtMapEntry>& in) {
  std::vector<keytrans::kt_map_entry> entries;
  for (const v1::KtMapEntry& e : in) {
    keytrans::kt_map_entry entry{e.position(), e.version(), {}};
    for (const v1::KtVersion& c : e.commitments()) {
      entry.commitments[c.version()] = read_hash(c.commitment());
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

keytrans::kt_owner_state read_owner_state(const v1::KtOwner& in) {
  keytrans::kt_owner_state owner;
  owner.start = in.start();
  for (const v1::KtVersion& v : in.versions()) {
    owner.versions[v.version()] = {v.position(), read_hash(v.commitment())};
  }
  owner.entries = read_map_entries(in.entries());
  return owner;
}

// Absent in states written before key transparency.
kt_view read_key_transparency(const v1::LocalState& proto) {
  kt_view kt;
  if (!proto.has_key_transparency()) {
    return kt;
  }
  const v1::KtState& in = proto.key_transparency();
  const std::span<const std::uint8_t> configuration = bytes_of(in.configuration());
  kt.configuration.assign(configuration.begin(), configuration.end());
  kt.retained.tree_size = in.tree_size();
  for (const std::string& head : in.full_subtrees()) {
    kt.retained.full_subtrees.push_back(read_hash(head));
  }
  for (const v1::KtLogEntry& e : in.frontier()) {
    kt.retained.frontier.push_back({e.position(), e.timestamp(), read_hash(e.prefix_root())});
  }
  kt.last_check_ms = in.last_check();
  kt.last_verified = in.last_verified();
  kt.failure = in.failure();
  kt.evidence.assign(in.evidence().begin(), in.evidence().end());
  if (in.has_owner()) {
    keytrans::kt_owner_state owner = read_owner_state(in.owner());
    std::optional<std::vector<keytrans::kt_device>> devices =
        keytrans::decode_device_list(bytes_of(in.owner().value()));
    if (!devices) {
      corrupt("an own device list that does not decode");
    }
    kt.owner = std::move(owner);
    kt.own_devices = std::move(*devices);
  }
  if (in.has_username_owner()) {
    kt.username_owner = read_owner_state(in.username_owner());
    kt.own_username_account = in.own_username_account();
  }
  for (const v1::KtAccount& account : in.accounts()) {
    std::optional<std::vector<keytrans::kt_device>> devices =
        keytrans::decode_device_list(bytes_of(account.value()));
    if (!devices) {
      corrupt("a proven device list that does not decode");
    }
    kt.accounts[account.account_id()] = {account.version(), std::move(*devices),
                                         read_map_entries(account.entries())};
  }
  for (const v1::KtUsername& name : in.usernames()) {
    kt.usernames[name.username()] = {name.account_id(), name.version(),
                                     read_map_entries(name.entries())};
  }
  return kt;
}

// States written before sealed sender have no type: their identities are all 0x0E.
crypto::identity_form read_identity_form(const v1::LocalState& proto) {
  switch (proto.identity_key_type()) {
    case 0:
    case crypto::ed25519_key_type:
      return crypto::identity_form::ed25519;
    case crypto::curve25519_key_type:
      return crypto::identity_form::curve25519;
    default:
      corrupt("an identity key of unknown type");
  }
}

crypto::typed_public_key read_identity_key(const std::string& field) {
  if (!crypto::decode_identity_key(bytes_of(field))) {
    corrupt("an identity key that is not 0x05 or 0x0E || 32 bytes");
  }
  crypto::typed_public_key key{};
  std::copy(field.begin(), field.end(), key.begin());
  return key;
}

void write_contact(const contact& c, v1::Contact& out) {
  out.set_account_id(c.account_id);
  out.set_username(c.username);
  out.set_verified(c.verified);
  out.set_identity_changed(c.identity_changed);
  out.set_replaced_account_id(c.replaced_account_id);
  if (c.access_key) {
    assign(out.mutable_access_key(), c.access_key->view());
  }
  for (const auto& [id, device] : c.devices) {
    v1::ContactDevice* d = out.add_devices();
    d->set_device_id(device.device_id);
    d->set_registration_id(device.registration_id);
    assign(d->mutable_identity_key(), device.identity_key);
    if (device.changed_identity_key) {
      assign(d->mutable_changed_identity_key(), *device.changed_identity_key);
    }
    d->set_verified(device.verified);
  }
}

contact read_contact(const v1::Contact& in) {
  if (!net::is_canonical_uuid(in.account_id())) {
    corrupt("a contact without a valid account id");
  }
  contact c;
  c.account_id = in.account_id();
  c.username = in.username();
  c.verified = in.verified();
  c.identity_changed = in.identity_changed();
  c.replaced_account_id = in.replaced_account_id();
  if (!in.access_key().empty()) {
    if (in.access_key().size() != crypto::access_key_size) {
      corrupt("an access key of the wrong size");
    }
    c.access_key = crypto::access_key(bytes_of(in.access_key()));
  }
  for (const v1::ContactDevice& d : in.devices()) {
    contact_device device;
    device.device_id = d.device_id();
    device.registration_id = d.registration_id();
    device.identity_key = read_identity_key(d.identity_key());
    if (!d.changed_identity_key().empty()) {
      device.changed_identity_key = read_identity_key(d.changed_identity_key());
    }
    device.verified = d.verified();
    c.devices[device.device_id] = device;
  }
  return c;
}

void write_history(const history_entry& entry, v1::HistoryEntry& out) {
  out.set_outgoing(entry.outgoing);
  out.set_peer_account(entry.peer_account);
  out.set_peer_username(entry.peer_username);
  out.set_peer_device(entry.peer_device);
  out.set_own_device(entry.own_device);
  out.set_timestamp(entry.timestamp_ms);
  out.set_server_timestamp(entry.server_timestamp_ms);
  out.set_text(entry.text);
}

history_entry read_history(const v1::HistoryEntry& in) {
  return {in.outgoing(),   in.peer_account(), in.peer_username(),    in.peer_device(),
          in.own_device(), in.timestamp(),    in.server_timestamp(), in.text()};
}

}  // namespace

void local_state::remember_guid(const net::guid& id, std::size_t limit) {
  if (!seen_guid_index.insert(id).second) {
    return;
  }
  seen_guids.push_back(id);
  while (seen_guids.size() > limit) {
    seen_guid_index.erase(seen_guids.front());
    seen_guids.pop_front();
  }
}

crypto::secret_bytes<> encode_state(const local_state& state) {
  v1::LocalState proto;
  const state_wiper wiper(proto);
  proto.set_version(state_version);
  proto.set_server_url(state.server_url);
  proto.set_username(state.username);
  proto.set_account_id(state.account_id);
  proto.set_device_id(state.device_id);
  proto.set_password(state.password);
  assign(proto.mutable_identity_seed(), state.identity.identity_key.seed.view());
  proto.set_identity_key_type(static_cast<std::uint32_t>(state.identity.identity_key.form()));
  write_sealed_sender(state, proto);
  write_key_transparency(state.key_transparency, proto);
  proto.set_registration_id(state.identity.registration_id);
  for (const stored_prekey& key : state.signed_prekeys) {
    write_prekey(key, *proto.add_signed_prekeys());
  }
  for (const auto& [id, key] : state.one_time_prekeys) {
    write_prekey(key, *proto.add_one_time_prekeys());
  }
  proto.set_next_signed_prekey_id(state.next_signed_prekey_id);
  proto.set_next_one_time_prekey_id(state.next_one_time_prekey_id);
  for (const auto& [key, sessions] : state.sessions) {
    v1::SessionRecord* record = proto.add_sessions();
    record->set_account_id(key.first);
    record->set_device_id(key.second);
    for (const protocol::session& s : sessions) {
      const crypto::secret_bytes<> bytes = s.serialize();
      assign(record->add_states(), bytes.view());
    }
  }
  for (const auto& [id, c] : state.contacts) {
    write_contact(c, *proto.add_contacts());
  }
  for (const history_entry& entry : state.history) {
    write_history(entry, *proto.add_history());
  }
  for (const net::guid& id : state.seen_guids) {
    proto.add_seen_guids(std::string(id.begin(), id.end()));
  }
  return serialize_secret(proto);
}

local_state decode_state(std::span<const std::uint8_t> bytes) {
  v1::LocalState proto;
  const state_wiper wiper(proto);
  parse(proto, bytes, "state");
  if (proto.version() != state_version) {
    corrupt("unsupported state version " + std::to_string(proto.version()));
  }
  local_state state;
  state.server_url = proto.server_url();
  state.username = proto.username();
  state.account_id = proto.account_id();
  state.device_id = proto.device_id();
  state.password = proto.password();
  if (proto.identity_seed().size() != crypto::ed25519_key_size) {
    corrupt("an identity key of the wrong size");
  }
  state.identity.identity_key = crypto::identity_from_seed(
      crypto::ed25519_seed(bytes_of(proto.identity_seed())), read_identity_form(proto));
  state.identity.registration_id = proto.registration_id();
  if (state.identity.registration_id < protocol::min_registration_id ||
      state.identity.registration_id > protocol::max_registration_id) {
    corrupt("a registration id out of range");
  }
  read_sealed_sender(proto, state);
  state.key_transparency = read_key_transparency(proto);
  for (const v1::StoredPrekey& key : proto.signed_prekeys()) {
    state.signed_prekeys.push_back(read_prekey(key));
  }
  if (state.signed_prekeys.empty()) {
    corrupt("no signed prekey");
  }
  for (const v1::StoredPrekey& key : proto.one_time_prekeys()) {
    stored_prekey prekey = read_prekey(key);
    const std::uint32_t id = prekey.key_id;
    state.one_time_prekeys.insert_or_assign(id, std::move(prekey));
  }
  state.next_signed_prekey_id = proto.next_signed_prekey_id();
  state.next_one_time_prekey_id = proto.next_one_time_prekey_id();
  for (const v1::SessionRecord& record : proto.sessions()) {
    std::vector<protocol::session>& sessions =
        state.sessions[session_key(record.account_id(), record.device_id())];
    for (const std::string& bytes : record.states()) {
      protocol::result<protocol::session> s = protocol::session::deserialize(bytes_of(bytes));
      if (!s) {
        corrupt("a session that does not decode");
      }
      sessions.push_back(std::move(*s));
    }
  }
  for (const v1::Contact& c : proto.contacts()) {
    contact decoded = read_contact(c);
    const std::string id = decoded.account_id;
    state.contacts.insert_or_assign(id, std::move(decoded));
  }
  for (const v1::HistoryEntry& entry : proto.history()) {
    state.history.push_back(read_history(entry));
  }
  for (const std::string& raw : proto.seen_guids()) {
    net::guid id{};
    if (raw.size() != id.size()) {
      corrupt("a guid of the wrong size");
    }
    std::copy(raw.begin(), raw.end(), id.begin());
    state.remember_guid(id, SIZE_MAX);
  }
  return state;
}

crypto::secret_bytes<> encode_backup(const local_state& state, std::uint64_t created_at_ms) {
  v1::Backup proto;
  const backup_wiper wiper(proto);
  proto.set_version(backup_version);
  proto.set_account_id(state.account_id);
  proto.set_username(state.username);
  proto.set_created_at(created_at_ms);
  for (const auto& [id, c] : state.contacts) {
    write_contact(c, *proto.add_contacts());
  }
  for (const history_entry& entry : state.history) {
    write_history(entry, *proto.add_history());
  }
  return serialize_secret(proto);
}

backup_contents decode_backup(std::span<const std::uint8_t> bytes) {
  v1::Backup proto;
  const backup_wiper wiper(proto);
  parse(proto, bytes, "backup");
  if (proto.version() != backup_version || !net::is_canonical_uuid(proto.account_id())) {
    corrupt("not a backup of a supported version");
  }
  backup_contents out;
  out.account_id = proto.account_id();
  out.username = proto.username();
  out.created_at_ms = proto.created_at();
  for (const v1::Contact& c : proto.contacts()) {
    out.contacts.push_back(read_contact(c));
  }
  for (const v1::HistoryEntry& entry : proto.history()) {
    out.history.push_back(read_history(entry));
  }
  return out;
}

const crypto::x25519_key_pair* state_prekey_store::find_signed_prekey(std::uint32_t key_id) const {
  for (const stored_prekey& key : state_.signed_prekeys) {
    if (key.key_id == key_id) {
      return &key.key_pair;
    }
  }
  return nullptr;
}

const crypto::x25519_key_pair* state_prekey_store::find_one_time_prekey(
    std::uint32_t key_id) const {
  const auto it = state_.one_time_prekeys.find(key_id);
  return it == state_.one_time_prekeys.end() ? nullptr : &it->second.key_pair;
}

void state_prekey_store::remove_one_time_prekey(std::uint32_t key_id) {
  state_.one_time_prekeys.erase(key_id);
}

}  // namespace sealpost::client
