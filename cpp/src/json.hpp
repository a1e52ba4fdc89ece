// Reading JSON text a token at a time, for the readers of JSON files (COCO detection results). Three
// layers, each in one place: the encoding (Utf8Text), the tokens (JsonCursor: whitespace, strings,
// numbers, literals, skipping a value), and the position of an error (JsonSyntaxError carries the
// byte offset; the caller words the message).
//
// What is accepted is what Python's json module accepts, and more where that costs nothing: the
// literals NaN, Infinity and -Infinity; numbers as std::from_chars reads them (also 01, 1., .5,
// inf, nan); any byte in a string, escapes unchecked. Objects and arrays follow the JSON grammar.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cvcore::detail {

// A syntax error at byte `offset` of the UTF-8 text (of the bytes, for an encoding error).
struct JsonSyntaxError {
  size_t offset;
  std::string what;
};

// JSON bytes as UTF-8 text, as Python's json.loads reads bytes: a UTF-8 byte order mark is skipped;
// UTF-16 and UTF-32 (told by a byte order mark, else by the zero bytes among the first four) are
// converted to UTF-8, lone surrogates kept. JsonSyntaxError for UTF-16 / UTF-32 that does not decode.
class Utf8Text {
 public:
  explicit Utf8Text(std::string_view bytes);
  std::string_view text() const { return converted_from_ ? std::string_view(converted_) : text_; }
  // The encoding the text was converted from ("UTF-16", "UTF-32"), or null when it was UTF-8.
  const char* converted_from() const { return converted_from_; }

 private:
  std::string_view text_;
  std::string converted_;
  const char* converted_from_ = nullptr;
};

// A number as written (text) and its value: correctly rounded to double, +-inf or +-0 beyond
// double's range (as Python's float()).
struct JsonNumber {
  std::string_view text;
  double value;
};

// The number's exact value when it is an integer in int64's range, written with or without a
// fraction or an exponent (3, -0, 3.0, 3e0); false otherwise (3.5, 2^63, NaN).
bool integral_value(const JsonNumber& number, int64_t* out);

// A cursor over UTF-8 JSON text. Each read skips the whitespace before its token; a token that is not
// there throws JsonSyntaxError at its offset.
class JsonCursor {
 public:
  explicit JsonCursor(std::string_view text) : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

  // The offset of the next token (after the whitespace).
  size_t offset() {
    peek();
    return static_cast<size_t>(p_ - begin_);
  }
  // The next token's first character, '\0' at the end of the text.
  char peek() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    return p_ < end_ ? *p_ : '\0';
  }
  // Whether only whitespace is left.
  bool at_end() {
    peek();
    return p_ == end_;
  }
  // Consumes c when it is the next token.
  bool consume(char c) {
    if (peek() != c || p_ == end_) return false;
    ++p_;
    return true;
  }
  // Consumes c, else JsonSyntaxError "expected <expected>, got <what is there>".
  void expect(char c, const char* expected) {
    if (!consume(c)) fail("expected " + std::string(expected) + ", got " + describe());
  }
  // A string (the cursor at its opening quote): its text with the escapes decoded, valid until the
  // next call. A \u escape that is not 4 hex digits, or an unknown escape, is kept as written.
  std::string_view string();
  // Reads a number into *out when the next token is one; false (nothing consumed) otherwise.
  bool number(JsonNumber* out);
  // Skips one value of any type, however deeply nested.
  void skip_value();
  // What the next token is, for messages: "a string", "an object", "an array", "true", "false",
  // "null", "a number", "the end of the text", a printable character in quotes, or "the byte 0x..".
  std::string describe();
  [[noreturn]] void fail(const std::string& what);

 private:
  // The end of the string whose opening quote is at p_ (the closing quote), and whether it holds
  // escapes.
  const char* string_end(bool* escaped);
  bool literal(std::string_view word);

  const char* begin_;
  const char* p_;
  const char* end_;
  std::string decoded_;
  std::string open_;  // skip_value's stack of closing brackets
};

}  // namespace cvcore::detail
