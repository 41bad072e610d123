// The TLS presentation-language codec: exact bytes for each field kind, and a reader that
// refuses to read past its input.
#include "keytrans/tls_codec.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

namespace sealpost::keytrans {
namespace {

TEST_CASE("keytrans: tls_writer writes big-endian integers and prefixed vectors", "[keytrans]") {
  const bytes payload{0xAA, 0xBB, 0xCC};
  tls_writer w;
  w.u8(0x01).u16(0x0203).u32(0x04050607).u64(0x08090A0B0C0D0E0F);
  w.vector(length_prefix::u8, payload).vector(length_prefix::u16, payload);
  w.vector(length_prefix::u32, {}).raw(payload);
  const bytes expected{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B,
                       0x0C, 0x0D, 0x0E, 0x0F, 0x03, 0xAA, 0xBB, 0xCC, 0x00, 0x03, 0xAA,
                       0xBB, 0xCC, 0x00, 0x00, 0x00, 0x00, 0xAA, 0xBB, 0xCC};
  CHECK(w.data() == expected);

  CHECK_THROWS_AS(tls_writer().vector(length_prefix::u8, bytes(256)), std::length_error);
  CHECK(tls_writer().vector(length_prefix::u8, bytes(255)).data().size() == 256);
}

TEST_CASE("keytrans: tls_reader reads what tls_writer wrote and nothing past the end",
          "[keytrans]") {
  const bytes payload{0xAA, 0xBB};
  const bytes encoded = tls_writer().u16(0xBEEF).vector(length_prefix::u16, payload).u64(42).take();
  tls_reader r(encoded);
  CHECK(r.u16() == 0xBEEF);
  const auto vector = r.vector(length_prefix::u16);
  REQUIRE(vector.has_value());
  CHECK(bytes(vector->begin(), vector->end()) == payload);
  CHECK(r.u64() == 42);
  CHECK(r.done());

  // Every truncation fails, and a failed reader stays failed.
  for (std::size_t size = 0; size < encoded.size(); ++size) {
    tls_reader cut(std::span<const std::uint8_t>(encoded).first(size));
    (void)cut.u16();
    (void)cut.vector(length_prefix::u16);
    (void)cut.u64();
    CHECK(cut.failed());
    CHECK_FALSE(cut.done());
  }
  // A length prefix that claims more than is left.
  const bytes lying{0x00, 0x05, 0x01, 0x02};
  tls_reader liar(lying);
  CHECK_FALSE(liar.vector(length_prefix::u16).has_value());
  CHECK(liar.failed());
  CHECK_FALSE(liar.u8().has_value());
  // Bytes left over: not done.
  const bytes extra{0x01, 0x02};
  tls_reader leftover(extra);
  CHECK(leftover.u8() == 1);
  CHECK_FALSE(leftover.done());
}

}  // namespace
}  // namespace sealpost::keytrans
