// Fuzz target: the server's strict JSON body reader (server/net/json_reader.*), the first
// step of every JSON request: parse_json_object on the raw body, then typed accessors.
//
// Properties: parse_json_object accepts exactly the JSON objects Boost.JSON parses (within
// its depth limit) and refuses everything else with invalid_json; each accessor either
// returns the value the JSON holds or throws request_error (400 invalid_request naming the
// field with its prefix, or 413 too_many_items for long arrays) exactly when the value is
// missing, null, of the wrong type or out of range; base64 fields decode to bytes whose
// canonical encoding is the field's text; reject_unknown_fields refuses exactly the fields no
// accessor asked for. Any other exception escapes and is a crash.
#include "net/json_reader.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>

#include "crypto/base64.hpp"
#include "fuzz_check.hpp"
#include "net/request_error.hpp"

namespace {

namespace json = boost::json;
using sealpost::net::api_errc;
using sealpost::net::json_reader;
using sealpost::net::request_error;

constexpr std::size_t kMaxKeysChecked = 8;
constexpr int kMaxDepthChecked = 2;

// Runs one accessor call. Returns true when it returned, false when it threw the
// request_error of a bad field; checks that error's code and that it names `field`.
bool call(const std::function<void()>& accessor, const std::string& field) {
  try {
    accessor();
    return true;
  } catch (const request_error& e) {
    const auto& err = e.error();
    const bool too_many = err.code == api_errc::payload_too_large;
    FUZZ_CHECK(too_many ? err.error == "too_many_items"
                        : err.code == api_errc::bad_request && err.error == "invalid_request");
    FUZZ_CHECK(err.message.rfind("field '" + field + "'", 0) == 0);
    return false;
  }
}

std::optional<std::int64_t> as_int64(const json::value& v) {
  return v.is_int64() ? std::optional(v.as_int64()) : std::nullopt;
}

void check_object(const json::object& obj, const std::string& where, int depth);

void check_field(const json::object& obj, const std::string& where, const std::string& key,
                 int depth) {
  const json::value& v = *obj.if_contains(key);
  const std::string field = where + key;
  const bool present = !v.is_null();
  FUZZ_CHECK(json_reader(obj, where).has(key) == present);
  FUZZ_CHECK(json_reader(obj, where).name(key) == field);

  {
    std::string got;
    const bool ok = call([&] { got = json_reader(obj, where).string(key); }, field);
    FUZZ_CHECK(ok == v.is_string());
    FUZZ_CHECK(!ok || got == v.as_string());
  }
  {
    std::optional<std::string> got;
    const bool ok = call([&] { got = json_reader(obj, where).optional_string(key); }, field);
    FUZZ_CHECK(ok == (!present || v.is_string()));
    FUZZ_CHECK(!ok || got.has_value() == present);
  }
  static constexpr std::pair<std::int64_t, std::int64_t> ranges[] = {
      {0, 0},
      {1, 16380},
      {1, std::numeric_limits<std::int32_t>::max()},
      {0, std::numeric_limits<std::int64_t>::max()},
      {std::numeric_limits<std::int64_t>::min(), -1}};
  for (const auto& range : ranges) {
    const std::int64_t min = range.first;
    const std::int64_t max = range.second;
    std::int64_t got = 0;
    const bool ok = call([&] { got = json_reader(obj, where).integer(key, min, max); }, field);
    const auto expected = as_int64(v);
    FUZZ_CHECK(ok == (expected && *expected >= min && *expected <= max));
    FUZZ_CHECK(!ok || got == *expected);
  }
  {
    std::uint32_t got = 0;
    const bool ok = call([&] { got = json_reader(obj, where).u32(key); }, field);
    const auto expected = as_int64(v);
    FUZZ_CHECK(ok == (expected && *expected >= 0 && *expected <= 0xffffffffLL));
    FUZZ_CHECK(!ok || got == *expected);
  }
  {
    std::optional<bool> got;
    const bool ok = call([&] { got = json_reader(obj, where).optional_bool(key); }, field);
    FUZZ_CHECK(ok == (!present || v.is_bool()));
    FUZZ_CHECK(!ok || got == (present ? std::optional(v.as_bool()) : std::nullopt));
  }
  for (const std::size_t max_bytes :
       {std::size_t{0}, std::size_t{1}, std::size_t{33}, std::size_t{64}}) {
    std::string got;
    const bool ok = call([&] { got = json_reader(obj, where).base64(key, max_bytes); }, field);
    std::optional<std::vector<std::uint8_t>> expected;
    if (v.is_string()) {
      expected = sealpost::crypto::base64_decode(std::string_view(v.as_string()));
    }
    FUZZ_CHECK(ok == (expected && expected->size() <= max_bytes));
    if (ok) {
      FUZZ_CHECK(sealpost::crypto::base64_encode(sealpost::fuzz::bytes_of(got)) == v.as_string());
    }
  }
  {
    const json::object* got = nullptr;
    const bool ok = call([&] { got = &json_reader(obj, where).object(key); }, field);
    FUZZ_CHECK(ok == v.is_object());
    FUZZ_CHECK(!ok || got == &v.as_object());
    const bool optional_ok =
        call([&] { got = json_reader(obj, where).optional_object(key); }, field);
    FUZZ_CHECK(optional_ok == (!present || v.is_object()));
    FUZZ_CHECK(!optional_ok || got == (present ? &v.as_object() : nullptr));
  }
  for (const std::size_t max_items : {std::size_t{0}, std::size_t{2}, std::size_t{100}}) {
    const json::array* got = nullptr;
    const bool ok = call([&] { got = &json_reader(obj, where).array(key, max_items); }, field);
    FUZZ_CHECK(ok == (v.is_array() && v.as_array().size() <= max_items));
    FUZZ_CHECK(!ok || got == &v.as_array());
    const bool optional_ok =
        call([&] { got = json_reader(obj, where).optional_array(key, max_items); }, field);
    FUZZ_CHECK(optional_ok == (!present || (v.is_array() && v.as_array().size() <= max_items)));
    FUZZ_CHECK(!optional_ok || got == (present ? &v.as_array() : nullptr));
  }
  if (v.is_object()) {
    check_object(v.as_object(), field + ".", depth + 1);
  }
}

void check_object(const json::object& obj, const std::string& where, int depth) {
  if (depth > kMaxDepthChecked) {
    return;
  }
  std::size_t checked = 0;
  for (const auto& [key, value] : obj) {
    if (++checked > kMaxKeysChecked) {
      break;
    }
    check_field(obj, where, std::string(key), depth);
  }

  // reject_unknown_fields: every key asked for (successfully or not) except the last one.
  json_reader reader(obj, where);
  const std::string first = obj.empty() ? "" : std::string(obj.begin()->key());
  FUZZ_CHECK(call([&] { reader.reject_unknown_fields(); }, where + first) == obj.empty());
  std::optional<std::string> last;
  for (const auto& [key, value] : obj) {
    if (last) {
      call([&] { reader.string(*last); }, where + *last);
    }
    last = std::string(key);
  }
  if (last) {
    FUZZ_CHECK(!call([&] { reader.reject_unknown_fields(); }, where + *last));
    call([&] { reader.optional_string(*last); }, where + *last);
  }
  FUZZ_CHECK(call([&] { reader.reject_unknown_fields(); }, where));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body = sealpost::fuzz::text_of({data, size});
  json::object obj;
  try {
    obj = sealpost::net::parse_json_object(body);
  } catch (const request_error& e) {
    FUZZ_CHECK(e.error().code == api_errc::invalid_json && e.error().error == "invalid_json");
    // Refused: then it is not a JSON object of depth <= 16 either.
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = 16;
    const json::value v = json::parse(body, ec, {}, options);
    FUZZ_CHECK(ec || !v.is_object());
    return 0;
  }
  boost::system::error_code ec;
  const json::value independent = json::parse(body, ec);
  // Compared as text: Boost.JSON reads a zero with a huge exponent ("0e999") as NaN, and
  // NaN never equals itself. No accessor reads doubles, so such a field is only refused.
  FUZZ_CHECK(!ec && independent.is_object() &&
             json::serialize(independent.as_object()) == json::serialize(obj));
  check_object(obj, "", 0);
  return 0;
}
