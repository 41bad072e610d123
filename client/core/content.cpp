// Content encoding: protobuf, then ISO/IEC 7816-4 padding (0x80, zeros).
#include "core/content.hpp"

#include <openssl/crypto.h>

#include <climits>

#include "sealpost/v1/client_state.pb.h"

namespace sealpost::client {
namespace {

void write_data(const data_message& in, v1::DataMessage& out) {
  out.set_text(in.text);
  out.set_timestamp(in.timestamp_ms);
  out.set_sender_username(in.sender_username);
  out.set_profile_key(in.profile_key.data(), in.profile_key.size());
}

data_message read_data(const v1::DataMessage& in) {
  return {in.text(), in.timestamp(), in.sender_username(),
          std::vector<std::uint8_t>(in.profile_key().begin(), in.profile_key().end())};
}

// Wipes the message texts of a Content when it goes out of scope.
class content_wiper {
 public:
  explicit content_wiper(v1::Content& content) noexcept : content_(content) {}
  content_wiper(const content_wiper&) = delete;
  content_wiper& operator=(const content_wiper&) = delete;
  ~content_wiper() {
    v1::DataMessage* data = nullptr;
    if (content_.has_data()) {
      data = content_.mutable_data();
    } else if (content_.has_sent()) {
      data = content_.mutable_sent()->mutable_message();
    }
    if (data != nullptr) {
      wipe(*data->mutable_text());
      wipe(*data->mutable_profile_key());
    }
  }

 private:
  static void wipe(std::string& secret) noexcept {
    if (!secret.empty()) {
      OPENSSL_cleanse(secret.data(), secret.size());
    }
  }

  v1::Content& content_;
};

}  // namespace

crypto::secret_bytes<> encode_content(const content& message) {
  v1::Content proto;
  const content_wiper wiper(proto);
  if (const auto* data = std::get_if<data_message>(&message)) {
    write_data(*data, *proto.mutable_data());
  } else {
    const auto& sent = std::get<sent_transcript>(message);
    v1::SentTranscript* out = proto.mutable_sent();
    out->set_destination_account(sent.destination_account);
    out->set_destination_username(sent.destination_username);
    write_data(sent.message, *out->mutable_message());
  }
  const std::size_t size = proto.ByteSizeLong();
  const std::size_t padded = (size / content_padding_block + 1) * content_padding_block;
  crypto::secret_bytes<> out(padded);  // zero-filled
  proto.SerializeWithCachedSizesToArray(out.data());
  out.data()[size] = 0x80;
  return out;
}

std::optional<content> decode_content(std::span<const std::uint8_t> plaintext) {
  std::size_t end = plaintext.size();
  while (end > 0 && plaintext[end - 1] == 0) {
    --end;
  }
  if (end == 0 || plaintext[end - 1] != 0x80 || end - 1 > static_cast<std::size_t>(INT_MAX)) {
    return std::nullopt;
  }
  v1::Content proto;
  const content_wiper wiper(proto);
  if (!proto.ParseFromArray(plaintext.data(), static_cast<int>(end - 1))) {
    return std::nullopt;
  }
  if (proto.has_data()) {
    return read_data(proto.data());
  }
  if (proto.has_sent()) {
    return sent_transcript{proto.sent().destination_account(), proto.sent().destination_username(),
                           read_data(proto.sent().message())};
  }
  return std::nullopt;
}

}  // namespace sealpost::client
