// Strict JSON reading (RFC 8259), as a stream of events for a handler: the readers of COCO files
// (cocoeval.hpp) and the Python package's JSON loader are handlers.
//
// Only JSON texts are accepted: no NaN / Infinity, no leading zeros, "1." or ".5", no raw control
// characters, invalid escapes, truncated or unpaired \u surrogates in strings, no bytes after the value
// (a trailing NUL included). The text must be UTF-8 (RFC 8259 section 8.1; invalid UTF-8, UTF-16 and
// UTF-32 are errors), a UTF-8 byte order mark is skipped. Nesting is limited to kJsonMaxDepth arrays
// and objects, and reading is iterative: no input can exhaust the stack.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cvcore {

// The deepest nesting of arrays and objects read. Far beyond any COCO file (5 levels), and shallow
// enough that what is read can be printed and compared recursively, as Python does.
inline constexpr int kJsonMaxDepth = 512;

// A number: its text (as written; empty for a number that was not read from text) and its value.
struct JsonNumber {
  std::string_view text;
  double value = 0;        // correctly rounded, as Python's float(); +-inf / +-0 beyond double's range
  bool integer = false;    // written without a fraction or an exponent (Python's json: an int)
  bool in_int64 = false;   // an integer within int64's range, whose exact value is int_value
  int64_t int_value = 0;
};

// The text of a number for messages: as written, else as Python's repr() writes the value.
std::string number_text(const JsonNumber& number);

// What a JSON reader calls, in document order. A handler that rejects a value throws ValueError with
// what is wrong; read_json adds where.
class JsonHandler {
 public:
  virtual ~JsonHandler() = default;
  virtual void null() = 0;
  virtual void boolean(bool value) = 0;
  virtual void number(const JsonNumber& number) = 0;
  virtual void string(std::string_view utf8) = 0;
  virtual void begin_array() = 0;
  virtual void end_array() = 0;
  virtual void begin_object() = 0;
  // A member's name; false skips its value (which is still checked) without events.
  virtual bool key(std::string_view utf8) = 0;
  virtual void end_object() = 0;
};

// Reads `bytes` as one JSON text, calling `handler`. Text that is not JSON raises ValueError
// "<op>: '<source>' line <l> column <c>: invalid JSON: <what>", and a handler's ValueError gets the
// same prefix, at the token it was called for ('<source>' left out when empty; columns count
// characters, from 1).
void read_json(std::string_view bytes, JsonHandler& handler, const std::string& source = {},
               const char* op = "read_json");

}  // namespace cvcore
