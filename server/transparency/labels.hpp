// The server's side of the log's labels: from the account ids and usernames the rest of the
// server speaks to the byte labels of common/keytrans/labels.hpp, and back.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace sealpost::transparency {

// Raw label bytes (0x01 || 16 UUID bytes) of a canonical account id.
std::string account_label(std::string_view account_id);
// Raw label bytes (0x02 || name) of a username (valid usernames always fit).
std::string username_label(std::string_view username);
std::string heartbeat_label();

struct account_label_of {
  std::string account_id;  // canonical text
};
struct username_label_of {
  std::string username;
};
struct heartbeat_label_of {};
// What a stored label names; nullopt for bytes no Sealpost label has.
std::optional<std::variant<account_label_of, username_label_of, heartbeat_label_of>> parse_label(
    std::string_view label);

}  // namespace sealpost::transparency
