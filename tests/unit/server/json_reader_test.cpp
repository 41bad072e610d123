// Strict JSON body reading: malformed bodies, missing/unknown fields, wrong types, integer
// ranges, strict base64 and array limits, each answered with the documented error.
#include "net/json_reader.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "net/api_error.hpp"
#include "net/request_error.hpp"

using namespace sealpost::net;
namespace json = boost::json;

namespace {

// The api_error that `fn` throws as a request_error; fails the test when it throws none.
template <class Fn>
api_error error_of(Fn&& fn) {
  try {
    fn();
  } catch (const request_error& e) {
    return e.error();
  }
  FAIL("expected a request_error");
  return {};
}

json::object object_of(std::string_view text) {
  return json::parse(text).as_object();
}

std::string nested_objects(int depth) {
  std::string text;
  for (int i = 0; i < depth; ++i)
    text += "{\"a\":";
  text += "1";
  for (int i = 0; i < depth; ++i)
    text += "}";
  return text;
}

// Checks that `err` is the 400 invalid_request for `field`, with `why` in the message.
void check_bad_field(const api_error& err, const std::string& field, const std::string& why) {
  CHECK(err.code == api_errc::bad_request);
  CHECK(status_of(err.code) == http::status::bad_request);
  CHECK(err.error == "invalid_request");
  CHECK_THAT(err.message, Catch::StartsWith("field '" + field + "': "));
  CHECK_THAT(err.message, Catch::Contains(why));
}

}  // namespace

TEST_CASE("json reader: parse_json_object accepts an object", "[json_reader]") {
  auto obj = parse_json_object(R"({"a": 1, "b": {"c": [true, null]}})");
  CHECK(obj.at("a").as_int64() == 1);
  CHECK(obj.at("b").at("c").as_array().size() == 2);
  CHECK(parse_json_object("{}").empty());
  // Nesting up to 16 levels, the body object included, is fine.
  CHECK(parse_json_object(nested_objects(16)).contains("a"));
}

TEST_CASE("json reader: invalid JSON is 400 invalid_json", "[json_reader]") {
  for (std::string body : {std::string(""), std::string("{not json"), std::string("{\"a\": }"),
                           std::string("{\"a\": 1,}"), std::string("{} trailing"),
                           std::string("{\"a\": 1} // comment"), std::string("{'a': 1}"),
                           std::string("{\"a\": 01}"), std::string("\xff\xfe")}) {
    INFO(body);
    auto err = error_of([&] { parse_json_object(body); });
    CHECK(err.code == api_errc::invalid_json);
    CHECK(status_of(err.code) == http::status::bad_request);
    CHECK(err.error == "invalid_json");
    CHECK(err.message == "request body is not valid JSON");
  }
}

TEST_CASE("json reader: a body that is not an object is 400 invalid_json", "[json_reader]") {
  for (std::string body : {"[]", "[1, 2]", "\"text\"", "42", "true", "null"}) {
    INFO(body);
    auto err = error_of([&] { parse_json_object(body); });
    CHECK(err.code == api_errc::invalid_json);
    CHECK(err.error == "invalid_json");
    CHECK(err.message == "request body must be a JSON object");
  }
}

TEST_CASE("json reader: too deep nesting is 400 invalid_json", "[json_reader]") {
  for (int depth : {17, 100, 100000}) {
    INFO(depth);
    auto err = error_of([&] { parse_json_object(nested_objects(depth)); });
    CHECK(err.code == api_errc::invalid_json);
    CHECK(err.error == "invalid_json");
  }
  // Arrays count as nesting too.
  const std::string arrays = "{\"a\":" + std::string(1000, '[') + std::string(1000, ']') + "}";
  CHECK(error_of([&] { parse_json_object(arrays); }).code == api_errc::invalid_json);
}

TEST_CASE("json reader: strings, and missing or null required fields", "[json_reader]") {
  auto obj = object_of(R"({"name": "alice", "nothing": null, "number": 5})");
  json_reader r(obj);
  CHECK(r.string("name") == "alice");
  check_bad_field(error_of([&] { r.string("absent"); }), "absent", "is required");
  check_bad_field(error_of([&] { r.string("nothing"); }), "nothing", "is required");
  check_bad_field(error_of([&] { r.string("number"); }), "number", "must be a string");

  CHECK(r.optional_string("name") == "alice");
  CHECK_FALSE(r.optional_string("absent"));
  CHECK_FALSE(r.optional_string("nothing"));  // null reads as absent
  check_bad_field(error_of([&] { r.optional_string("number"); }), "number", "must be a string");
  CHECK(r.has("name"));
  CHECK_FALSE(r.has("nothing"));
  CHECK_FALSE(r.has("absent"));
}

TEST_CASE("json reader: field names carry the reader's prefix", "[json_reader]") {
  auto obj = object_of(R"({"key_id": "seven", "extra": 1})");
  json_reader r(obj, "signed_prekey.");
  CHECK(r.name("key_id") == "signed_prekey.key_id");
  check_bad_field(error_of([&] { r.u32("key_id"); }), "signed_prekey.key_id", "must be an integer");
  check_bad_field(error_of([&] { r.reject_unknown_fields(); }), "signed_prekey.extra",
                  "is not allowed");
}

TEST_CASE("json reader: integers must be integers within their range", "[json_reader]") {
  auto obj = object_of(R"({
    "one": 1, "low": 0, "negative": -5, "high": 16381, "max": 16380,
    "fraction": 1.5, "exponent": 1e3, "text": "7", "flag": true, "list": [1], "nothing": null,
    "int64_max": 9223372036854775807, "int64_min": -9223372036854775808,
    "uint64_max": 18446744073709551615
  })");
  json_reader r(obj);
  CHECK(r.integer("one", 1, 16380) == 1);
  CHECK(r.integer("max", 1, 16380) == 16380);
  CHECK(r.integer("negative", -10, 10) == -5);
  check_bad_field(error_of([&] { r.integer("low", 1, 16380); }), "low",
                  "must be between 1 and 16380");
  check_bad_field(error_of([&] { r.integer("high", 1, 16380); }), "high",
                  "must be between 1 and 16380");
  check_bad_field(error_of([&] { r.integer("negative", 1, 16380); }), "negative",
                  "must be between");
  for (const char* key : {"fraction", "exponent", "text", "flag", "list"}) {
    INFO(key);
    check_bad_field(error_of([&] { r.integer(key, 0, 100); }), key, "must be an integer");
  }
  check_bad_field(error_of([&] { r.integer("nothing", 0, 100); }), "nothing", "is required");
  check_bad_field(error_of([&] { r.integer("absent", 0, 100); }), "absent", "is required");

  // The int64 extremes are integers, checked against the range like any other.
  CHECK(r.integer("int64_max", 0, INT64_MAX) == INT64_MAX);
  CHECK(r.integer("int64_min", INT64_MIN, 0) == INT64_MIN);
  check_bad_field(error_of([&] { r.integer("int64_max", 0, 100); }), "int64_max",
                  "must be between");
  // Beyond int64 (JSON numbers that only fit uint64) is out of range whatever the bounds.
  check_bad_field(error_of([&] { r.integer("uint64_max", 0, INT64_MAX); }), "uint64_max",
                  "is out of range");
}

TEST_CASE("json reader: u32 takes exactly 0 to 4294967295", "[json_reader]") {
  auto obj = object_of(R"({
    "zero": 0, "max": 4294967295, "over": 4294967296, "minus_one": -1,
    "huge": 18446744073709551615, "way_over": 18446744073709551616
  })");
  json_reader r(obj);
  CHECK(r.u32("zero") == 0U);
  CHECK(r.u32("max") == 4294967295U);
  check_bad_field(error_of([&] { r.u32("over"); }), "over", "must be between 0 and 4294967295");
  check_bad_field(error_of([&] { r.u32("minus_one"); }), "minus_one", "must be between");
  check_bad_field(error_of([&] { r.u32("huge"); }), "huge", "is out of range");
  // Past uint64 the parser makes it a double: not an integer at all.
  check_bad_field(error_of([&] { r.u32("way_over"); }), "way_over", "must be an integer");
}

TEST_CASE("json reader: optional booleans", "[json_reader]") {
  auto obj = object_of(R"({"yes": true, "no": false, "nothing": null, "text": "true", "one": 1})");
  json_reader r(obj);
  CHECK(r.optional_bool("yes") == true);
  CHECK(r.optional_bool("no") == false);
  CHECK_FALSE(r.optional_bool("nothing"));
  CHECK_FALSE(r.optional_bool("absent"));
  check_bad_field(error_of([&] { r.optional_bool("text"); }), "text", "must be true or false");
  check_bad_field(error_of([&] { r.optional_bool("one"); }), "one", "must be true or false");
}

TEST_CASE("json reader: base64 is standard, padded and strict", "[json_reader]") {
  auto obj = object_of(R"({
    "three": "AQID", "one": "AQ==", "two": "AQI=", "empty": "",
    "unpadded": "AQ", "url_safe": "-_-_", "bad_char": "AQ*D", "space": "AQ ID",
    "newline": "AQID\n", "leading_space": " AQID", "padding_inside": "AQ==AQID",
    "too_much_padding": "A===", "loose_bits": "AR==", "number": 5, "nothing": null,
    "four": "AQIDBA==", "five": "AQIDBAU="
  })");
  json_reader r(obj);
  CHECK(r.base64("three", 3) == std::string("\x01\x02\x03"));
  CHECK(r.base64("one", 3) == std::string("\x01"));
  CHECK(r.base64("two", 3) == std::string("\x01\x02"));
  CHECK(r.base64("empty", 3).empty());

  for (const char* key : {"unpadded", "url_safe", "bad_char", "space", "newline", "leading_space",
                          "padding_inside", "too_much_padding", "loose_bits"}) {
    INFO(key);
    check_bad_field(error_of([&] { r.base64(key, 64); }), key, "is not valid padded base64");
  }
  check_bad_field(error_of([&] { r.base64("number", 64); }), "number", "must be a base64 string");
  check_bad_field(error_of([&] { r.base64("nothing", 64); }), "nothing", "is required");
  check_bad_field(error_of([&] { r.base64("absent", 64); }), "absent", "is required");
}

TEST_CASE("json reader: base64 longer than max_bytes is refused", "[json_reader]") {
  auto obj = object_of(R"({"four": "AQIDBA==", "five": "AQIDBAU=", "six": "AQIDBAUG"})");
  json_reader r(obj);
  CHECK(r.base64("four", 4).size() == 4);
  CHECK(r.base64("six", 6).size() == 6);
  // Refused before decoding (more text than max_bytes can need)...
  check_bad_field(error_of([&] { r.base64("four", 3); }), "four", "is too long");
  // ...and after decoding, when the text length alone could still fit.
  check_bad_field(error_of([&] { r.base64("five", 4); }), "five", "is too long");
  check_bad_field(error_of([&] { r.base64("six", 5); }), "six", "is too long");
  // A huge value is refused without being decoded.
  const std::string big = "{\"big\": \"" + std::string(4 * 1024 * 1024, 'A') + "\"}";
  auto big_obj = object_of(big);
  json_reader big_reader(big_obj);
  check_bad_field(error_of([&] { big_reader.base64("big", 33); }), "big", "is too long");
}

TEST_CASE("json reader: objects", "[json_reader]") {
  auto obj = object_of(R"({"inner": {"x": 1}, "list": [], "nothing": null})");
  json_reader r(obj);
  CHECK(r.object("inner").at("x").as_int64() == 1);
  check_bad_field(error_of([&] { r.object("list"); }), "list", "must be an object");
  check_bad_field(error_of([&] { r.object("absent"); }), "absent", "is required");
  CHECK(r.optional_object("nothing") == nullptr);
  CHECK(r.optional_object("absent") == nullptr);
  REQUIRE(r.optional_object("inner") != nullptr);
  check_bad_field(error_of([&] { r.optional_object("list"); }), "list", "must be an object");

  check_bad_field(error_of([&] { as_object(json::value(3), "keys[2]"); }), "keys[2]",
                  "must be an object");
}

TEST_CASE("json reader: arrays and their item limit", "[json_reader]") {
  auto obj = object_of(R"({"three": [1, 2, 3], "empty": [], "text": "x", "nothing": null})");
  json_reader r(obj);
  CHECK(r.array("three", 3).size() == 3);
  CHECK(r.array("empty", 0).empty());
  check_bad_field(error_of([&] { r.array("text", 3); }), "text", "must be an array");
  check_bad_field(error_of([&] { r.array("absent", 3); }), "absent", "is required");
  CHECK(r.optional_array("nothing", 3) == nullptr);
  CHECK(r.optional_array("absent", 3) == nullptr);
  REQUIRE(r.optional_array("three", 3) != nullptr);

  // Over max_items is not a malformed request but a too large one: 413 too_many_items.
  for (auto err :
       {error_of([&] { r.array("three", 2); }), error_of([&] { r.optional_array("three", 2); })}) {
    CHECK(err.code == api_errc::payload_too_large);
    CHECK(status_of(err.code) == http::status::payload_too_large);
    CHECK(err.error == "too_many_items");
    CHECK(err.message == "field 'three': at most 2 items");
  }
}

TEST_CASE("json reader: reject_unknown_fields refuses what no accessor asked for",
          "[json_reader]") {
  auto obj = object_of(R"({"username": "alice", "invite": null, "surprise": 1})");
  SECTION("a field never read is rejected") {
    json_reader r(obj);
    r.string("username");
    r.optional_string("invite");
    check_bad_field(error_of([&] { r.reject_unknown_fields(); }), "surprise", "is not allowed");
  }
  SECTION("every field read: accepted") {
    json_reader r(obj);
    r.string("username");
    r.optional_string("invite");
    r.integer("surprise", 0, 10);
    CHECK_NOTHROW(r.reject_unknown_fields());
  }
  SECTION("a null field that was never asked for is still unknown") {
    json_reader r(obj);
    r.string("username");
    r.integer("surprise", 0, 10);
    check_bad_field(error_of([&] { r.reject_unknown_fields(); }), "invite", "is not allowed");
  }
  SECTION("asking for an absent optional field is fine") {
    auto small = object_of(R"({"username": "alice"})");
    json_reader r(small);
    r.string("username");
    CHECK_FALSE(r.optional_string("invite"));
    CHECK(r.optional_array("one_time_prekeys", 100) == nullptr);
    CHECK(r.optional_object("signed_prekey") == nullptr);
    CHECK_NOTHROW(r.reject_unknown_fields());
  }
}
