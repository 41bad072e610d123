// Shared by the fuzz targets: property checks that abort (which libFuzzer records as a
// crash, with the input saved as an artifact) and small byte/string helpers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sealpost::fuzz {

[[noreturn]] inline void property_failed(const char* expression, const char* file, int line) {
  std::fprintf(stderr, "fuzz property violated: %s (%s:%d)\n", expression, file, line);
  std::abort();
}

inline std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

inline std::string_view text_of(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

inline std::vector<std::uint8_t> vector_of(std::string_view text) {
  const auto bytes = bytes_of(text);
  return {bytes.begin(), bytes.end()};
}

}  // namespace sealpost::fuzz

// Unlike assert(), active in every build type (the fuzz build defines NDEBUG).
#define FUZZ_CHECK(condition)                                            \
  do {                                                                   \
    if (!(condition)) {                                                  \
      ::sealpost::fuzz::property_failed(#condition, __FILE__, __LINE__); \
    }                                                                    \
  } while (false)
