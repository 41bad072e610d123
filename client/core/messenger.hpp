// sealpost::client::messenger: one device of a Sealpost account, as a messaging app would
// embed it. It registers or links the device, keeps its state in an encrypted file, sends
// end-to-end encrypted messages to every device of a contact (and a copy to the account's
// other devices), decrypts what arrives, tracks contacts' identity keys and refuses to send
// to a contact whose key changed until verify() accepts it.
//
// Every call is blocking and, unless said otherwise, throws:
//  - net::api_error (and its kinds in net/errors.hpp) when the server refuses a request,
//  - net::transport_error when the server cannot be reached or answers nonsense,
//  - state_error when the state file cannot be read or written,
//  - identity_changed_error, unknown_contact_error, usage_error as documented per call.
// A messenger is not thread-safe. Several processes may use the same state file: each call
// takes the file's lock and first reloads what another process wrote.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/key_transparency.hpp"
#include "core/local_state.hpp"
#include "core/sealed_box.hpp"
#include "crypto/key_encoding.hpp"
#include "crypto/scrypt.hpp"
#include "net/api_types.hpp"
#include "net/errors.hpp"
#include "net/websocket_client.hpp"

namespace sealpost::client {

struct messenger_core;  // the working parts behind the facade (core/messenger_core.hpp)

struct messenger_config {
  // The server, e.g. "http://127.0.0.1:8080". Needed to register or link; when opening an
  // existing state file, empty means the URL stored in it (a given URL replaces it).
  std::string server_url;
  std::filesystem::path state_path;
  std::string passphrase;  // the state file's passphrase
  // scrypt cost for new state files and for backups.
  crypto::scrypt_params kdf = sealed_box::default_kdf;
  std::chrono::milliseconds timeout = std::chrono::seconds(15);
  // https: a PEM file of certificate authorities to trust instead of the system's (e.g. a
  // self-signed server certificate). The certificate and host name are always verified.
  std::string ca_file;
  std::size_t history_limit = 10000;  // newest entries kept
  std::size_t one_time_prekey_target =
      100;  // pool size kept on the server (at most 100 new per upload)
};

struct registration_options {
  std::optional<std::string> invite;   // for servers in invite mode
  std::size_t one_time_prekeys = 100;  // uploaded with the registration, 0-100
};

struct device_info {
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
  crypto::typed_public_key identity_key{};
  bool this_device = false;
  // The server runs a key-transparency log that does not show this device with this key.
  bool not_in_log = false;
};

struct safety_number {
  std::uint32_t device_id = 0;  // the contact's device
  std::string digits;           // 60 digits
  bool verified = false;        // the contact was verified with this key
  bool changed = false;         // this device's key changed and is not verified yet
  // The server runs a key-transparency log that does not show this device with this key:
  // only a comparison in person vouches for it.
  bool not_in_log = false;
};

struct contact_info {
  std::string account_id;
  std::string username;
  bool verified = false;
  bool identity_changed = false;
  std::vector<std::uint32_t> devices;
};

struct send_report {
  std::string recipient_account;
  std::vector<std::uint32_t> recipient_devices;
  std::vector<std::uint32_t> own_devices;  // our other devices that got a copy
  std::int64_t server_timestamp = 0;
  // Empty, or why the copy for our other devices could not be sent (the message itself was).
  std::string own_devices_warning;
  // The message went sealed: the server was not told who sent it.
  bool sealed = false;
};

struct received_message {
  net::guid guid{};
  std::string sender_account;
  std::uint32_t sender_device = 0;
  // True for a copy of a message that another device of ours sent; `peer_*` is then the
  // recipient, otherwise the sender.
  bool sent_by_us = false;
  std::string peer_account;
  std::string peer_username;  // empty when not confirmed
  std::string text;
  std::uint64_t timestamp_ms = 0;  // the sender's clock
  std::uint64_t server_timestamp_ms = 0;
  // The sender's identity key changed and is not verified yet.
  bool identity_unverified = false;
  // It arrived sealed: the server did not know the sender; its certificate named it.
  bool sealed = false;
};

struct notice {
  enum class kind {
    identity_changed,  // a contact's identity key (or account) changed: verify it
    new_device,        // a contact (or this account) has a device we did not know
    device_removed,    // a device of a contact (or of this account) is gone
    undecryptable,     // an envelope could not be decrypted; it was dropped
    sealed_refused,    // a sealed envelope did not open or its certificate failed; dropped
    prekeys_uploaded,  // fresh one-time prekeys went to the server
  };
  kind what = kind::undecryptable;
  std::string account_id;
  std::string username;
  std::uint32_t device_id = 0;
  std::string detail;  // never message contents or keys
};

// A sentence for people, e.g. "bob's safety number changed (device 2)".
std::string describe(const notice& n);

struct receive_result {
  std::vector<received_message> messages;
  std::vector<notice> notices;
  // Every envelope that is done with (decrypted, duplicate or undecryptable): ack them.
  // process() has saved the state before it returns, so acking cannot lose a message.
  std::vector<net::guid> acks;
  std::size_t duplicates = 0;
};

struct listen_options {
  std::chrono::milliseconds duration{0};  // 0: until stopped
  bool until_queue_empty = false;         // return once the server says the backlog is done
  std::function<bool()> stop;             // polled a few times a second; true ends listen
  // listen_forever checks the key-transparency log (check_key_transparency) when it starts
  // and then this often (DESIGN.md: every hour); 0 turns it off.
  std::chrono::milliseconds key_transparency_interval{std::chrono::hours(1)};
};

struct listen_handlers {
  std::function<void(const received_message&)> on_message;
  std::function<void(const notice&)> on_notice;
  std::function<void()> on_queue_empty;
  // listen_forever's log checks: each report of a server that runs key transparency, and a
  // check that could not run (say, the server was unreachable; it is tried again within a
  // minute).
  std::function<void(const kt_check_report&)> on_key_transparency;
  std::function<void(const std::exception&)> on_key_transparency_error;
};

struct listen_summary {
  std::size_t messages = 0;
  std::size_t duplicates = 0;
  bool queue_empty_seen = false;
};

// What listen_forever reports about its connection, for an app to show; each is optional.
struct reconnect_handlers {
  // Checking the prekeys before listening failed; listening goes on.
  std::function<void(const std::exception&)> on_prekey_check_failed;
  // The WebSocket closed (say, the server restarted); it reconnects after `pause`.
  std::function<void(const net::connection_closed&, std::chrono::seconds pause)> on_closed;
  // The server could not be reached or the connection failed; it retries after `pause`.
  std::function<void(const net::transport_error&, std::chrono::seconds pause)> on_unreachable;
};

// Sealed sender as `sealpost privacy` shows it (DESIGN.md, "Sealed sender").
struct privacy_settings {
  // The server's view of the account (GET /v1/accounts/me/unidentified-access).
  bool access_key_registered = false;  // sealed messages need that key (or unrestricted)
  bool unrestricted = false;           // anyone may send sealed, with any key
  // This device's view.
  bool profile_key_known = false;            // it can give contacts the account's access key
  bool trust_root_pinned = false;            // it can check the certificates of sealed messages
  bool identity_can_send_sealed = false;     // a 0x05 identity (0x0E ones get no certificate)
  std::size_t contacts_with_access_key = 0;  // messages to these go sealed
};

// What `sealpost privacy` changes; nullopt / false: unchanged.
struct privacy_change {
  std::optional<bool> unrestricted{};  // primary only
  bool new_profile_key = false;        // primary only: contacts must learn the new key
  bool pin_new_root = false;           // accept the server's current trust root
};

struct restore_report {
  std::size_t contacts_added = 0;
  std::size_t history_added = 0;
  std::uint64_t backup_created_at_ms = 0;
};

class messenger {
 public:
  // Creates a new account with this device as its primary, and its state file (which must
  // not exist). usage_error for an invalid username; api_error username_taken etc.
  static messenger register_account(const messenger_config& config, const std::string& username,
                                    const registration_options& options = {});

  // Links this new device to the account whose primary minted `link_token`, creating its
  // state file. `username`, when given, is checked against the directory and remembered.
  static messenger link_device(const messenger_config& config, const std::string& link_token,
                               const std::optional<std::string>& username = std::nullopt,
                               const registration_options& options = {});

  // Opens an existing state file.
  static messenger open(const messenger_config& config);

  messenger(messenger&&) noexcept;
  messenger& operator=(messenger&&) noexcept;
  ~messenger();

  [[nodiscard]] std::string username() const;
  [[nodiscard]] std::string account_id() const;
  [[nodiscard]] std::uint32_t device_id() const;
  [[nodiscard]] std::string server_url() const;
  [[nodiscard]] crypto::typed_public_key identity_key() const;
  // This device's credentials (for apps that talk to the API themselves).
  [[nodiscard]] net::device_login login() const;

  // A single-use token for linking a new device (primary only: usage_error otherwise).
  net::link_token create_link_token();
  // This account's devices, as the server lists them. New or removed ones update our view.
  std::vector<device_info> devices();
  // Removes a device of this account (the primary may remove any but itself; a secondary
  // only itself). After removing another device it searches this account in the
  // key-transparency log, which must show exactly that change (DESIGN.md [D3]); returns why
  // it does not, or empty (also when the server runs no log).
  std::string remove_device(std::uint32_t device_id);
  // Deletes the whole account (primary only) and this state file.
  void delete_account();

  // Sends `text` to `recipient` (a username or an account id): one ciphertext for each of
  // their devices, then a copy for each of our other devices. Sessions come from prekey
  // bundles as needed; when the server says the device set is out of date (409/410), the
  // device list and sessions are refreshed and the send retried. identity_changed_error
  // when the recipient's identity changed and is not verified (nothing is sent);
  // unknown_contact_error when no such user exists; usage_error for an empty or too long
  // text or for sending to ourselves.
  send_report send(const std::string& recipient, std::string_view text);

  // Decrypts envelopes (from the WebSocket or GET /v1/messages), in any order and with
  // duplicates, each exactly once; records them in the history and saves the state. Does not
  // ack: the caller acks result.acks.
  receive_result process(std::span<const net::envelope> envelopes);

  // Fetches the queue over REST (GET /v1/messages), processes it and acks it
  // (DELETE /v1/messages/{guid}), until it is empty.
  receive_result receive_pending();

  // Opens this device's WebSocket.
  std::unique_ptr<net::websocket_client> connect();

  // Reads `socket` and processes deliveries in batches (saving, then acking), uploads
  // prekeys on KeysLow, and reports through `handlers`, until `options` say stop. Throws
  // net::connection_closed when the socket closes.
  listen_summary listen(net::websocket_client& socket, const listen_options& options,
                        const listen_handlers& handlers);

  // Tops up the prekeys, then listens on one WebSocket after another (connect + listen)
  // until `options` say stop: `duration` counts across reconnects, and stop() is also polled
  // while it waits to reconnect. After a network failure it reconnects with a growing pause
  // (1 s, doubling up to 30 s, 1 s again once connected), telling `events`. Throws
  // net::api_error when the server refuses this device, and net::connection_closed with
  // close_code_replaced when another connection of this device took over.
  listen_summary listen_forever(const listen_options& options, const listen_handlers& handlers,
                                const reconnect_handlers& events = {});

  // Tops up the server's pool of our one-time prekeys to the configured target once it is
  // below half of it, and rotates the signed prekey when it is a week old (or the server
  // has another one). Returns the number of one-time prekeys uploaded.
  std::size_t replenish_prekeys();

  // The safety numbers between this device and each device of `contact` (refreshing its
  // device list from the server first).
  std::vector<safety_number> safety_numbers(const std::string& contact);
  // Accepts the contact's current identity keys after the user compared safety numbers:
  // sending works again, and the contact counts as verified.
  void verify(const std::string& contact);

  std::vector<contact_info> contacts();

  // Sealed sender settings of the account and this device.
  privacy_settings privacy();
  // Changes them (see privacy_change): the access key and the unrestricted flag only on the
  // primary (usage_error otherwise). Returns the settings afterwards.
  privacy_settings change_privacy(const privacy_change& change);

  // Key transparency (DESIGN.md): checks the server's log against what this device saw
  // before (pinning its configuration the first time) and keeps the result, a failure
  // included, in the state.
  kt_check_report check_key_transparency();
  kt_status key_transparency_status();
  // The answers that conflict, as JSON, for `sealpost kt evidence`.
  std::string key_transparency_evidence();
  // The history, oldest first; only entries with `contact` (username or account id) when
  // given.
  std::vector<history_entry> history(const std::string& contact = {});

  // Stores an encrypted backup of contacts (with their trusted keys) and history at
  // PUT /v1/backup, under a key derived from `backup_passphrase`.
  void backup(std::string_view backup_passphrase);
  // Fetches the account's backup and merges it into this device's state. usage_error when
  // there is none; state_error(wrong_passphrase) when it does not decrypt.
  restore_report restore_backup(std::string_view backup_passphrase);

 private:
  explicit messenger(std::unique_ptr<messenger_core> core);
  std::unique_ptr<messenger_core> core_;
};

}  // namespace sealpost::client
