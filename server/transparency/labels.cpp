#include "transparency/labels.hpp"

#include <stdexcept>

#include "keytrans/labels.hpp"
#include "model/ids.hpp"

namespace sealpost::transparency {
namespace {

std::string as_string(const keytrans::bytes& b) {
  return {b.begin(), b.end()};
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string account_label(std::string_view account_id) {
  if (!model::is_canonical_uuid(account_id))
    throw std::invalid_argument("account_label: not a canonical UUID");
  keytrans::account_uuid raw{};
  std::size_t out = 0;
  for (std::size_t i = 0; i < account_id.size(); ++i) {
    if (account_id[i] == '-')
      continue;
    raw[out / 2] = static_cast<std::uint8_t>(raw[out / 2] << 4 | hex_digit(account_id[i]));
    ++out;
  }
  return as_string(keytrans::account_label(raw));
}

std::string username_label(std::string_view username) {
  const auto label = keytrans::username_label(username);
  if (!label)
    throw std::invalid_argument("username_label: name too long");
  return as_string(*label);
}

std::string heartbeat_label() {
  return as_string(keytrans::heartbeat_label());
}

std::optional<std::variant<account_label_of, username_label_of, heartbeat_label_of>> parse_label(
    std::string_view label) {
  if (label.empty())
    return std::nullopt;
  const auto rest = label.substr(1);
  switch (static_cast<std::uint8_t>(label[0])) {
    case keytrans::account_label_tag: {
      if (rest.size() != keytrans::account_uuid_size)
        return std::nullopt;
      static constexpr char digits[] = "0123456789abcdef";
      std::string id;
      for (std::size_t i = 0; i < rest.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
          id += '-';
        const auto byte = static_cast<std::uint8_t>(rest[i]);
        id += digits[byte >> 4];
        id += digits[byte & 0x0F];
      }
      return account_label_of{std::move(id)};
    }
    case keytrans::username_label_tag:
      return username_label_of{std::string(rest)};
    case keytrans::heartbeat_label_tag:
      if (label == heartbeat_label())
        return heartbeat_label_of{};
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

}  // namespace sealpost::transparency
