// The local state store: encrypted round trips, wrong passphrases and damaged files fail
// cleanly, writes are atomic, the lock excludes, the state codec keeps everything.
#include "core/state_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/errors.hpp"
#include "core/local_state.hpp"
#include "core/sealed_box.hpp"
#include "crypto/identity_key.hpp"
#include "crypto/random.hpp"
#include "crypto/x25519.hpp"
#include "protocol/session.hpp"

namespace fs = std::filesystem;
using namespace sealpost::client;

namespace {

// Cheap scrypt for tests; the format stores the parameters, so files stay readable.
constexpr sealpost::client::crypto::scrypt_params test_kdf{1024, 8, 1};

// A fresh folder under the system temp folder, removed afterwards.
struct temp_folder {
  fs::path path;
  temp_folder() {
    std::random_device rd;
    path = fs::temp_directory_path() /
           ("sealpost-state-test-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~temp_folder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  temp_folder(const temp_folder&) = delete;
  temp_folder& operator=(const temp_folder&) = delete;
};

std::vector<std::uint8_t> bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

std::string text_of(const sealpost::client::crypto::secret_bytes<>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::vector<std::uint8_t> file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

state_error::kind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const state_error& e) {
    return e.error_kind();
  }
  FAIL("no state_error was thrown");
  return state_error::kind::io;
}

std::size_t leftover_temporaries(const fs::path& folder) {
  std::size_t n = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().filename().string().find(".tmp-") != std::string::npos) {
      ++n;
    }
  }
  return n;
}

// A state with something in every field, including a real session.
local_state sample_state() {
  namespace crypto = sealpost::client::crypto;
  namespace protocol = sealpost::client::protocol;
  local_state state;
  state.server_url = "http://127.0.0.1:8080";
  state.username = "alice";
  state.account_id = "1720fa36-9103-4bfd-ad0a-aabe655dcfdc";
  state.device_id = 2;
  state.password = "correct horse battery staple 42";
  state.identity = {crypto::generate_identity(), 1234};
  state.signed_prekeys.push_back({1, crypto::x25519_generate(), 1000});
  state.signed_prekeys.push_back({2, crypto::x25519_generate(), 2000});
  state.one_time_prekeys[5] = {5, crypto::x25519_generate(), 3000};
  state.next_signed_prekey_id = 3;
  state.next_one_time_prekey_id = 6;

  // A session with a peer, from its bundle.
  protocol::local_identity peer{crypto::generate_identity(), 4321};
  crypto::x25519_key_pair peer_prekey = crypto::x25519_generate();
  protocol::prekey_bundle bundle;
  bundle.registration_id = 4321;
  const crypto::typed_public_key& peer_identity = peer.identity_key.public_key;
  bundle.identity_key.assign(peer_identity.begin(), peer_identity.end());
  bundle.signed_prekey = protocol::make_signed_prekey(peer.identity_key, 9, peer_prekey.public_key);
  protocol::result<protocol::session> session = protocol::session::initiate(state.identity, bundle);
  REQUIRE(session.has_value());
  (void)session->encrypt(bytes_of("advance the ratchet"));
  state.sessions[session_key("0b0cc9aa-1d00-4000-8000-000000000001", 1)].push_back(*session);

  contact bob;
  bob.account_id = "0b0cc9aa-1d00-4000-8000-000000000001";
  bob.username = "bob";
  bob.verified = true;
  bob.devices[1] = contact_device{1, 4321, peer_identity, std::nullopt, true};
  bob.devices[3] = contact_device{3, 77, peer_identity, state.identity_key(), false};
  bob.identity_changed = true;
  state.contacts[bob.account_id] = bob;

  state.history.push_back({false, bob.account_id, "bob", 1, 0, 111, 112, "hello alice"});
  state.history.push_back({true, bob.account_id, "bob", 0, 2, 113, 114, "hi bob"});
  state.remember_guid(sealpost::client::net::guid{1, 2, 3}, 100);
  state.remember_guid(sealpost::client::net::guid{4, 5, 6}, 100);
  return state;
}

}  // namespace

TEST_CASE("client core: a state written to an encrypted file reads back identically", "[state]") {
  temp_folder dir;
  const fs::path path = dir.path / "alice.state";
  const local_state original = sample_state();
  {
    state_file file = state_file::create(path, "passphrase one", test_kdf);
    file.write(encode_state(original).view());
  }
  state_file reopened = state_file::open(path, "passphrase one");
  const local_state loaded = decode_state(reopened.read().view());

  CHECK(loaded.server_url == original.server_url);
  CHECK(loaded.username == original.username);
  CHECK(loaded.account_id == original.account_id);
  CHECK(loaded.device_id == original.device_id);
  CHECK(loaded.password == original.password);
  CHECK(loaded.identity.identity_key.seed == original.identity.identity_key.seed);
  CHECK(loaded.identity.identity_key.public_key == original.identity.identity_key.public_key);
  CHECK(loaded.identity.registration_id == 1234);
  REQUIRE(loaded.signed_prekeys.size() == 2);
  CHECK(loaded.signed_prekeys[1].key_pair.private_key ==
        original.signed_prekeys[1].key_pair.private_key);
  CHECK(loaded.signed_prekeys[1].key_pair.public_key ==
        original.signed_prekeys[1].key_pair.public_key);
  REQUIRE(loaded.one_time_prekeys.size() == 1);
  CHECK(loaded.one_time_prekeys.at(5).created_at_ms == 3000);
  CHECK(loaded.next_signed_prekey_id == 3);
  CHECK(loaded.next_one_time_prekey_id == 6);
  REQUIRE(loaded.sessions.size() == 1);
  const auto& sessions = loaded.sessions.begin()->second;
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].serialize() == original.sessions.begin()->second[0].serialize());
  REQUIRE(loaded.contacts.size() == 1);
  const contact& bob = loaded.contacts.begin()->second;
  CHECK(bob.username == "bob");
  CHECK(bob.verified);
  CHECK(bob.identity_changed);
  REQUIRE(bob.devices.size() == 2);
  CHECK_FALSE(bob.devices.at(1).changed_identity_key.has_value());
  REQUIRE(bob.devices.at(3).changed_identity_key.has_value());
  CHECK(*bob.devices.at(3).changed_identity_key == original.identity_key());
  CHECK(bob.devices.at(1).verified);
  CHECK_FALSE(bob.devices.at(3).verified);
  CHECK(std::vector<history_entry>(loaded.history.begin(), loaded.history.end()) ==
        std::vector<history_entry>(original.history.begin(), original.history.end()));
  CHECK(loaded.seen_guids == original.seen_guids);
  CHECK(loaded.seen_guid_index.size() == 2);
}

TEST_CASE("client core: the key-transparency view reads back, and older states have none",
          "[state]") {
  local_state original = sample_state();
  CHECK(decode_state(encode_state(original).view()).key_transparency.configuration.empty());

  kt_view& kt = original.key_transparency;
  kt.configuration = {0x00, 0x01, 0x01, 0x42};
  kt.retained.tree_size = 3;
  kt.retained.full_subtrees = {sealpost::keytrans::log_hash{1}, sealpost::keytrans::log_hash{2}};
  kt.retained.frontier = {{1, 1000, sealpost::keytrans::log_hash{3}},
                          {2, 2000, sealpost::keytrans::log_hash{4}}};
  kt.last_check_ms = 2500;
  kt.last_verified = R"({"proof":{}})";
  kt.failure = "the log's signed head does not verify";
  kt.evidence = {R"({"a":1})", R"({"b":2})"};
  // A contact's proven devices and username, with the contact-map entries monitoring follows.
  const sealpost::keytrans::kt_map_entry entry{
      5, 1, {{0, sealpost::keytrans::prefix_hash{7}}, {1, sealpost::keytrans::prefix_hash{8}}}};
  const std::string bob_id = "0f6b1c2e-3a4d-4e5f-8a9b-0c1d2e3f4a5b";
  kt.accounts[bob_id] = {1, {{1, 42, std::vector<std::uint8_t>(33, 5)}}, {entry}};
  kt.usernames["bob"] = {bob_id, 0, {entry}};
  const local_state loaded = decode_state(encode_state(original).view());
  REQUIRE(loaded.key_transparency.accounts.size() == 1);
  const kt_proven_account& account = loaded.key_transparency.accounts.at(bob_id);
  CHECK(account.version == 1);
  CHECK(account.devices == kt.accounts[bob_id].devices);
  CHECK(account.entries == std::vector{entry});
  REQUIRE(loaded.key_transparency.usernames.size() == 1);
  const kt_proven_username& name = loaded.key_transparency.usernames.at("bob");
  CHECK(name.account_id == bob_id);
  CHECK(name.version == 0);
  CHECK(name.entries == std::vector{entry});
  CHECK(loaded.key_transparency.configuration == kt.configuration);
  CHECK(loaded.key_transparency.retained == kt.retained);
  CHECK(loaded.key_transparency.last_check_ms == 2500);
  CHECK(loaded.key_transparency.last_verified == kt.last_verified);
  CHECK(loaded.key_transparency.failure == kt.failure);
  CHECK(loaded.key_transparency.evidence == kt.evidence);
}

// States written before sealed sender have no identity_key_type (field 17, written last as
// the varint 0x88 0x01 then the type): their identities were all 0x0E, and stay so.
TEST_CASE("client core: a state without an identity key type reads as a 0x0E identity", "[state]") {
  const local_state original = sample_state();
  REQUIRE(original.identity_key()[0] == crypto::curve25519_key_type);
  const crypto::secret_bytes<> encoded = encode_state(original);
  const std::span<const std::uint8_t> bytes = encoded.view();
  REQUIRE(bytes.size() > 3);
  const std::vector<std::uint8_t> tail(bytes.end() - 3, bytes.end());
  CHECK(tail == std::vector<std::uint8_t>{0x88, 0x01, crypto::curve25519_key_type});
  CHECK(decode_state(bytes).identity_key() == original.identity_key());

  const local_state old = decode_state(bytes.first(bytes.size() - 3));
  CHECK(old.identity.identity_key.form() == crypto::identity_form::ed25519);
  CHECK(old.identity_key() == crypto::identity_from_seed(original.identity.identity_key.seed,
                                                         crypto::identity_form::ed25519)
                                  .public_key);
  // Written again, the old state keeps its form.
  CHECK(decode_state(encode_state(old).view()).identity_key() == old.identity_key());
}

TEST_CASE("client core: the file never holds the plaintext of its secrets", "[state]") {
  temp_folder dir;
  const fs::path path = dir.path / "alice.state";
  const local_state original = sample_state();
  state_file file = state_file::create(path, "passphrase one", test_kdf);
  file.write(encode_state(original).view());
  const std::vector<std::uint8_t> raw = file_bytes(path);
  const std::string as_text(raw.begin(), raw.end());
  CHECK(as_text.find("hello alice") == std::string::npos);
  CHECK(as_text.find(original.password) == std::string::npos);
  CHECK(as_text.find("bob") == std::string::npos);
  const auto seed = original.identity.identity_key.seed.view();
  CHECK(std::search(raw.begin(), raw.end(), seed.begin(), seed.end()) == raw.end());
}

TEST_CASE("client core: a wrong passphrase fails cleanly and leaves the file as it was",
          "[state]") {
  temp_folder dir;
  const fs::path path = dir.path / "alice.state";
  {
    state_file file = state_file::create(path, "the right one", test_kdf);
    file.write(bytes_of("payload"));
  }
  const std::vector<std::uint8_t> before = file_bytes(path);
  state_file wrong = state_file::open(path, "the wrong one");
  CHECK(kind_of([&] { (void)wrong.read(); }) == state_error::kind::wrong_passphrase);
  try {
    (void)wrong.read();
  } catch (const state_error& e) {
    CHECK(std::string(e.what()).find("wrong passphrase") != std::string::npos);
    CHECK(std::string(e.what()).find(path.string()) != std::string::npos);
  }
  CHECK(file_bytes(path) == before);
  state_file right = state_file::open(path, "the right one");
  CHECK(text_of(right.read()) == "payload");
}

TEST_CASE("client core: damaged, truncated, foreign and missing files give typed errors",
          "[state]") {
  temp_folder dir;
  const fs::path path = dir.path / "alice.state";
  {
    state_file file = state_file::create(path, "pass", test_kdf);
    file.write(bytes_of("payload"));
  }
  const std::vector<std::uint8_t> good = file_bytes(path);

  SECTION("a flipped ciphertext byte") {
    std::vector<std::uint8_t> bad = good;
    bad.back() ^= 0x01;
    write_bytes(path, bad);
    state_file file = state_file::open(path, "pass");
    CHECK(kind_of([&] { (void)file.read(); }) == state_error::kind::wrong_passphrase);
  }
  SECTION("a flipped generation byte (authenticated header)") {
    std::vector<std::uint8_t> bad = good;
    bad[sealed_box::magic_size + 4 + sealed_box::salt_size] ^= 0x01;
    write_bytes(path, bad);
    state_file file = state_file::open(path, "pass");
    CHECK(kind_of([&] { (void)file.read(); }) == state_error::kind::wrong_passphrase);
  }
  SECTION("a truncated file") {
    write_bytes(path, std::vector<std::uint8_t>(good.begin(), good.begin() + 20));
    CHECK(kind_of([&] { (void)state_file::open(path, "pass"); }) == state_error::kind::corrupt);
  }
  SECTION("a file of something else") {
    write_bytes(path, bytes_of("{\"not\": \"a state file at all, just some JSON text\"}"));
    CHECK(kind_of([&] { (void)state_file::open(path, "pass"); }) == state_error::kind::corrupt);
  }
  SECTION("a header asking for absurd scrypt memory is refused before any allocation") {
    std::vector<std::uint8_t> bad = good;
    bad[sealed_box::magic_size + 1] = 40;  // N = 2^40
    write_bytes(path, bad);
    CHECK(kind_of([&] { (void)state_file::open(path, "pass"); }) == state_error::kind::corrupt);
  }
  SECTION("no file at all") {
    CHECK(kind_of([&] { (void)state_file::open(dir.path / "nobody.state", "pass"); }) ==
          state_error::kind::not_found);
  }
  SECTION("a payload that decrypts but is not a state") {
    CHECK(kind_of([&] { (void)decode_state(bytes_of("payload")); }) == state_error::kind::corrupt);
  }
}

TEST_CASE("client core: creating a state file refuses to overwrite one", "[state]") {
  temp_folder dir;
  const fs::path path = dir.path / "alice.state";
  state_file file = state_file::create(path, "pass", test_kdf);
  file.write(bytes_of("first"));
  CHECK(kind_of([&] { (void)state_file::create(path, "pass", test_kdf); }) ==
        state_error::kind::already_exists);
  CHECK(text_of(state_file::open(path, "pass").read()) == "first");
}

TEST_CASE("client core: writes are atomic: readers only ever see complete versions", "[state]") {
  temp_folder dir;
  const fs::path path = dir.path / "alice.state";
  state_file writer = state_file::create(path, "pass", test_kdf);
  writer.write(bytes_of("version 0"));

  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int> failures{0};
  std::thread reader([&] {
    state_file file = state_file::open(path, "pass");
    while (!done.load()) {
      try {
        const std::string text = text_of(file.read());
        if (text.rfind("version ", 0) != 0) {
          ++failures;
        }
      } catch (const std::exception&) {
        ++failures;
      }
      ++reads;
    }
  });
  for (int i = 1; i <= 200; ++i) {
    // Payloads of varying sizes, so that a torn write would show.
    writer.write(bytes_of("version " + std::to_string(i) +
                          std::string(static_cast<std::size_t>(i) * 37, 'x')));
  }
  done = true;
  reader.join();
  CHECK(reads.load() > 0);
  CHECK(failures.load() == 0);
  CHECK(leftover_temporaries(dir.path) == 0);

  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
}

TEST_CASE("client core: a write that cannot complete leaves the previous file intact", "[state]") {
  temp_folder dir;
  const fs::path path = dir.path / "alice.state";
  state_file file = state_file::create(path, "pass", test_kdf);
  file.write(bytes_of("good version"));
  // The rename target becomes a non-empty folder: rename fails after the temporary file was
  // written and flushed.
  fs::path moved = dir.path / "moved.state";
  fs::rename(path, moved);
  fs::create_directories(path / "blocker");
  CHECK(kind_of([&] { file.write(bytes_of("new version")); }) == state_error::kind::io);
  CHECK(leftover_temporaries(dir.path) == 0);
  fs::remove_all(path);
  fs::rename(moved, path);
  CHECK(text_of(state_file::open(path, "pass").read()) == "good version");
}

TEST_CASE("client core: a second writer is noticed and the lock makes processes take turns",
          "[state]") {
  temp_folder dir;
  const fs::path path = dir.path / "alice.state";
  state_file first = state_file::create(path, "pass", test_kdf);
  first.write(bytes_of("one"));
  state_file second = state_file::open(path, "pass");
  CHECK(text_of(second.read()) == "one");
  CHECK_FALSE(first.changed_on_disk());
  CHECK_FALSE(second.changed_on_disk());
  second.write(bytes_of("two"));
  CHECK(first.changed_on_disk());
  CHECK(text_of(first.read()) == "two");
  CHECK_FALSE(first.changed_on_disk());

  std::atomic<bool> acquired{false};
  std::optional<state_file::lock> held(state_file::acquire(path));
  std::thread other([&] {
    const state_file::lock lock = state_file::acquire(path);
    acquired = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK_FALSE(acquired.load());
  held.reset();
  other.join();
  CHECK(acquired.load());
}

TEST_CASE("client core: backups use their own magic and do not open as state files", "[state]") {
  const sealed_box::header header = sealed_box::new_header(test_kdf);
  const sealpost::client::crypto::aead_key key = sealed_box::derive_key("backup pass", header);
  const std::vector<std::uint8_t> blob =
      sealed_box::seal(sealed_box::backup_magic, header, key, bytes_of("contacts"));
  CHECK_FALSE(sealed_box::parse_header(sealed_box::state_magic, blob).has_value());
  const auto parsed = sealed_box::parse_header(sealed_box::backup_magic, blob);
  REQUIRE(parsed.has_value());
  CHECK(parsed->salt == header.salt);
  const auto opened = sealed_box::open(sealed_box::derive_key("backup pass", *parsed), blob);
  REQUIRE(opened.has_value());
  CHECK(text_of(*opened) == "contacts");
  CHECK_FALSE(sealed_box::open(sealed_box::derive_key("other pass", *parsed), blob).has_value());
}
