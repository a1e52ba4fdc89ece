// C++ API of the strict JSON reader: events in document order, skipped members, and the errors'
// positions (the Python tests cover the grammar against Python's json module).
#include <cvcore/cvcore.hpp>
#include <cvcore/json.hpp>

#include <string>

#include "check.hpp"

using namespace cvcore;

namespace {

// Writes the events as text; declines the members named "skip".
struct Trace final : JsonHandler {
  std::string out;
  void null() override { out += "null "; }
  void boolean(bool v) override { out += v ? "true " : "false "; }
  void number(const JsonNumber& n) override {
    out += number_text(n) + (n.integer ? "i" : "") + (n.in_int64 ? "64 " : " ");
  }
  void string(std::string_view s) override { out += "\"" + std::string(s) + "\" "; }
  void begin_array() override { out += "[ "; }
  void end_array() override { out += "] "; }
  void begin_object() override { out += "{ "; }
  bool key(std::string_view k) override {
    if (k == "skip") return false;
    out += std::string(k) + ": ";
    return true;
  }
  void end_object() override { out += "} "; }
};

std::string trace(std::string_view text) {
  Trace t;
  read_json(text, t, "t.json");
  return t.out;
}

}  // namespace

TEST(read_json_events) {
  CHECK(trace(R"( {"a": [1, -0, 2.5e1, 99999999999999999999], "skip": [{"x": [1, {}]}], "b": "\u00e9\n", "c": null,
                  "d": [true, false, {}, []]} )") ==
        "{ a: [ 1i64 -0i64 2.5e1 99999999999999999999i ] b: \"\xC3\xA9\n\" c: null d: [ true false { } [ ] ] } ");
  CHECK(trace("\xEF\xBB\xBF 7 ") == "7i64 ");  // a UTF-8 byte order mark is skipped
}

TEST(number_text_writes_as_python_repr) {
  CHECK(number_text(JsonNumber{{}, 100.0}) == "100.0");
  CHECK(number_text(JsonNumber{{}, 1e16}) == "1e+16");
  CHECK(number_text(JsonNumber{{}, 1.5e-5}) == "1.5e-05");
  CHECK(number_text(JsonNumber{{}, 0.0001}) == "0.0001");
  CHECK(number_text(JsonNumber{{}, -0.0}) == "-0.0");
  CHECK(number_text(JsonNumber{{}, 0.1}) == "0.1");
  CHECK(number_text(JsonNumber{"1E2", 100.0}) == "1E2");
}

TEST(read_json_errors_name_the_line_and_column) {
  CHECK_THROWS(trace("[1,\n 2,\n  01]"), ValueError,
               "read_json: 't.json' line 3 column 3: invalid JSON: a number with a leading zero");
  CHECK_THROWS(trace("[\"\xC3\xA9\", x]"), ValueError, "line 1 column 7: invalid JSON: expected a value, got 'x'");
  CHECK_THROWS(trace("[NaN]"), ValueError, "line 1 column 2: invalid JSON: NaN and Infinity are not JSON numbers");
  CHECK_THROWS(trace("\"\xFF\""), ValueError, "invalid UTF-8 (byte 0xFF) in a string");
  CHECK_THROWS(trace(std::string(kJsonMaxDepth, '[') + std::string(kJsonMaxDepth, ']') + " ["), ValueError,
               "line 1 column 1026: invalid JSON: expected the end of the text after the JSON value, got '['");
  CHECK_THROWS(trace(std::string(kJsonMaxDepth + 1, '[')), ValueError,
               "line 1 column 513: invalid JSON: more than 512 nested arrays and objects");
  CHECK_THROWS(trace(std::string(100000, '[')), ValueError, "more than 512 nested arrays and objects");
}

CVCORE_TEST_MAIN
