// result<T, E>: a value or an expected-outcome error (not found, conflict...), in the shape
// of C++23's std::expected so call sites read the same way once we can use it.
#pragma once

#include <utility>
#include <variant>

namespace sealpost {

template <class E>
struct failure {
  E error;
};
template <class E>
failure(E) -> failure<E>;

template <class T, class E>
class result {
 public:
  // Implicit on purpose, as with std::expected.
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  result(failure<E> f) : state_(std::in_place_index<1>, f.error) {}      // NOLINT

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  E error() const { return std::get<1>(state_); }

 private:
  std::variant<T, E> state_;
};

}  // namespace sealpost
