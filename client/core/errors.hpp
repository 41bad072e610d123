// The errors of the client library that are not the server's or the network's (those are
// in net/errors.hpp): the local state file, untrusted identities, unknown contacts.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace sealpost::client {

// The local state file (or a backup) could not be used. kind() says why; what() says it for
// people and names the file.
class state_error : public std::runtime_error {
 public:
  enum class kind {
    not_found,         // no state file at that path
    already_exists,    // registering or linking would overwrite an existing state file
    wrong_passphrase,  // does not decrypt: a wrong passphrase, or the file was altered
    corrupt,           // not a state file, or an unsupported version
    io,                // reading, writing or locking failed
  };
  state_error(kind k, const std::string& what) : std::runtime_error(what), kind_(k) {}
  [[nodiscard]] kind error_kind() const noexcept { return kind_; }

 private:
  kind kind_;
};

// Sending to a contact whose identity key changed (a device's key differs from the one we
// trusted, or the username now belongs to a different account). Nothing was sent. After the
// user compared the new safety numbers, messenger::verify accepts the new keys.
class identity_changed_error : public std::runtime_error {
 public:
  identity_changed_error(std::string contact, std::vector<std::uint32_t> devices);
  [[nodiscard]] const std::string& contact() const noexcept { return contact_; }
  // The devices whose key changed; empty when the whole account was replaced.
  [[nodiscard]] const std::vector<std::uint32_t>& devices() const noexcept { return devices_; }

 private:
  std::string contact_;
  std::vector<std::uint32_t> devices_;
};

// A username or account that the server does not know (or no longer knows).
class unknown_contact_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The server's sealed-sender certificates no longer chain to the trust root this device
// pinned: the operator replaced the root, or someone is answering in the server's name.
// Nothing was sent. `sealpost privacy --pin-new-root` accepts the new root.
class trust_root_changed_error : public std::runtime_error {
 public:
  trust_root_changed_error();
};

// Key transparency: a device or key the server lists that the log does not prove (DESIGN.md,
// "What the user sees"). Sessions already started keep working; this device gets nothing.
class kt_device_unverified_error : public std::runtime_error {
 public:
  kt_device_unverified_error(const std::string& contact, const std::string& reason);
  [[nodiscard]] const std::string& contact() const noexcept { return contact_; }

 private:
  std::string contact_;
};

// Key transparency: the log itself failed a check (signature, consistency, configuration,
// timestamps); no new device of anyone is trusted until a check passes.
class kt_log_failure_error : public std::runtime_error {
 public:
  explicit kt_log_failure_error(const std::string& failure);
};

// An operation that is not possible in this state: e.g. a secondary device asked to mint a
// link token, or a message too long to send.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sealpost::client
