// secret_bytes: sizes, copies, moves and constant-time equality.
#include "crypto/secret_bytes.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

#include "crypto/random.hpp"

namespace sealpost::client::crypto {
namespace {

TEST_CASE("client crypto: secret_bytes fixed size", "[client][crypto]") {
  const secret_bytes<4> zero;
  CHECK(zero.size() == 4);
  CHECK(std::vector<std::uint8_t>(zero.view().begin(), zero.view().end()) ==
        std::vector<std::uint8_t>(4, 0));

  const std::vector<std::uint8_t> bytes = {1, 2, 3, 4};
  secret_bytes<4> a(bytes);
  const secret_bytes<4> b(bytes);
  CHECK(a == b);
  CHECK_FALSE(a == zero);
  CHECK_THROWS_AS(secret_bytes<4>(std::vector<std::uint8_t>{1, 2, 3}), std::invalid_argument);

  // A moved-from fixed secret no longer holds the secret. Read through a pointer taken
  // beforehand: the object itself must not be used after the move.
  const std::uint8_t* old_storage = a.data();
  const secret_bytes<4> moved(std::move(a));
  CHECK(moved == b);
  CHECK(std::vector<std::uint8_t>(old_storage, old_storage + 4) == std::vector<std::uint8_t>(4, 0));
}

TEST_CASE("client crypto: secret_bytes variable size", "[client][crypto]") {
  const std::vector<std::uint8_t> bytes = {9, 8, 7};
  secret_bytes<> a(bytes);
  CHECK(a.size() == 3);
  secret_bytes<> copy = a;
  CHECK(copy == a);
  CHECK_FALSE(a == secret_bytes<>(std::vector<std::uint8_t>{9, 8}));
  CHECK_FALSE(a == secret_bytes<>(std::vector<std::uint8_t>{9, 8, 6}));

  copy = secret_bytes<>(std::size_t{5});
  CHECK(copy.size() == 5);
  secret_bytes<> target;
  target = std::move(a);
  CHECK(target == secret_bytes<>(bytes));
  CHECK(secret_bytes<>() == secret_bytes<>());
}

TEST_CASE("client crypto: random secrets differ", "[client][crypto]") {
  CHECK_FALSE(random_secret<32>() == random_secret<32>());
  CHECK(random_secret(17).size() == 17);
  CHECK(random_bytes(0).empty());
}

}  // namespace
}  // namespace sealpost::client::crypto
