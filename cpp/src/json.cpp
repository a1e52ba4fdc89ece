// Strict JSON reading (see cvcore/json.hpp): one pass over the UTF-8 text, with an explicit stack of
// the open arrays and objects instead of recursion.
#include "cvcore/json.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <system_error>

#include "cvcore/error.hpp"
#include "interrupt.hpp"
#include "utf8.hpp"

namespace cvcore {
namespace {

// A syntax error at `at`, a position in the text.
struct SyntaxError {
  const char* at;
  std::string what;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_high_surrogate(uint32_t u) { return u >= 0xD800 && u <= 0xDBFF; }
bool is_low_surrogate(uint32_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

std::string hex_text(uint32_t value, int digits) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string out(static_cast<size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, value >>= 4) out[static_cast<size_t>(i)] = kHex[value & 15];
  return out;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

using detail::utf8_length;

// The 4 hex digits at p (p + 4 <= end), or -1.
int32_t hex4(const char* p) {
  int32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = p[i];
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// A number that std::from_chars finds beyond double's range: +-inf when its magnitude is at least 1,
// else +-0 (its order of magnitude: the digits before the point, or minus the zeros after it, plus
// the exponent).
double out_of_range_value(std::string_view t) {
  const bool negative = !t.empty() && t[0] == '-';
  size_t i = negative ? 1 : 0;
  int64_t order = 0;
  bool seen_point = false, seen_digit = false;
  for (; i < t.size() && t[i] != 'e' && t[i] != 'E'; ++i) {
    if (t[i] == '.') {
      seen_point = true;
    } else if (!seen_digit && t[i] == '0') {
      order -= seen_point;
    } else {
      seen_digit = true;
      order += !seen_point;
    }
  }
  constexpr int64_t kLimit = int64_t(1) << 50;  // beyond any order of magnitude a text can write
  int64_t exponent = 0;
  if (i + 1 < t.size()) {
    const char* e = t.data() + i + 1 + (t[i + 1] == '+');
    if (std::from_chars(e, t.data() + t.size(), exponent).ec == std::errc::result_out_of_range)
      exponent = t[i + 1] == '-' ? -kLimit : kLimit;
    exponent = exponent < -kLimit ? -kLimit : (exponent > kLimit ? kLimit : exponent);
  }
  const double magnitude = order + exponent > 0 ? HUGE_VAL : 0.0;
  return negative ? -magnitude : magnitude;
}

// Python's repr() of a double: the shortest digits that read back, in fixed notation for exponents
// -4 to 15 (with ".0" when integral), else as 1.5e+16.
std::string python_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  const std::string s(buf, r.ptr);  // [-]d[.ddd]e(+|-)dd
  const size_t e = s.find('e');
  const bool negative = s[0] == '-';
  std::string digits = s.substr(negative, e - negative);
  if (digits.size() > 1) digits.erase(1, 1);  // the point
  const int exponent = std::atoi(s.c_str() + e + 1);
  std::string out;
  if (exponent >= -4 && exponent < 16) {
    const size_t whole = static_cast<size_t>(exponent + 1);
    if (exponent < 0)
      out = "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    else if (digits.size() <= whole)
      out = digits + std::string(whole - digits.size(), '0') + ".0";
    else
      out = digits.substr(0, whole) + "." + digits.substr(whole);
  } else {
    const int magnitude = std::abs(exponent);
    out = digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "") + (exponent < 0 ? "e-" : "e+") +
          (magnitude < 10 ? "0" : "") + std::to_string(magnitude);
  }
  return negative ? "-" + out : out;
}

// The encoding of text that is UTF-16 or UTF-32 instead of UTF-8, told by its byte order mark or by
// the zero bytes around its first character (RFC 4627 section 3); null otherwise.
const char* wide_encoding(std::string_view b) {
  const auto starts = [&](std::string_view prefix) { return b.substr(0, prefix.size()) == prefix; };
  if (starts(std::string_view("\0\0\xFE\xFF", 4))) return "UTF-32BE";
  if (starts(std::string_view("\xFF\xFE\0\0", 4))) return "UTF-32LE";
  if (starts("\xFE\xFF")) return "UTF-16BE";
  if (starts("\xFF\xFE")) return "UTF-16LE";
  if (b.size() < 4) return nullptr;
  const bool z0 = b[0] == 0, z1 = b[1] == 0, z2 = b[2] == 0, z3 = b[3] == 0;
  if (z0 && z1 && z2 && !z3) return "UTF-32BE";
  if (!z0 && z1 && z2 && z3) return "UTF-32LE";
  if (z0 && !z1 && z2 && !z3) return "UTF-16BE";
  if (!z0 && z1 && !z2 && z3) return "UTF-16LE";
  return nullptr;
}

// "<op>: '<source>' line <l> column <c>: " for the position `at` of `text`.
std::string where(const char* op, const std::string& source, std::string_view text, const char* at) {
  size_t line = 1, column = 1;
  for (const char* q = text.data(); q < at; ++q) {
    if (*q == '\n') {
      ++line, column = 1;
    } else if ((static_cast<unsigned char>(*q) & 0xC0) != 0x80) {  // the first byte of a character
      ++column;
    }
  }
  std::string out = std::string(op) + ": ";
  if (!source.empty()) out += "'" + source + "' ";
  return out + "line " + std::to_string(line) + " column " + std::to_string(column) + ": ";
}

class Parser {
 public:
  Parser(std::string_view text, JsonHandler& handler)
      : p_(text.data()), end_(text.data() + text.size()), token_(p_), handler_(handler) {}

  void run() {
    for (int64_t values = 1;; ++values) {
      if (values % 4096 == 0) detail::poll_interrupt();  // Ctrl-C while reading a large file
      skip_space();
      token_ = p_;
      if (p_ < end_ && (*p_ == '{' || *p_ == '[')) {
        if (open_.size() == static_cast<size_t>(kJsonMaxDepth))
          fail(p_, "more than " + std::to_string(kJsonMaxDepth) + " nested arrays and objects");
        const char close = *p_++ == '{' ? '}' : ']';
        if (events()) close == '}' ? handler_.begin_object() : handler_.begin_array();
        skip_space();
        if (p_ < end_ && *p_ == close) {
          token_ = p_++;
          if (events()) close == '}' ? handler_.end_object() : handler_.end_array();
        } else {
          open_ += close;
          if (close == '}') member();
          continue;  // the first element
        }
      } else {
        scalar();
      }
      if (!after_value()) return;
    }
  }

  // Where the handler was last called.
  const char* token() const { return token_; }

 private:
  [[noreturn]] void fail(const char* at, const std::string& what) { throw SyntaxError{at, what}; }

  bool events() const { return skip_from_ == kNoSkip; }

  void skip_space() {
    while (p_ < end_ && is_space(*p_)) ++p_;
  }

  // After a value: ends a skipped member's value, then reads ',' (and the next member's name) or the
  // closing brackets that follow. False when the text is done.
  bool after_value() {
    for (;;) {
      if (skip_from_ == open_.size()) skip_from_ = kNoSkip;
      skip_space();
      token_ = p_;
      if (open_.empty()) {
        if (p_ != end_) fail(p_, "expected the end of the text after the JSON value, got " + describe(p_));
        return false;
      }
      const char close = open_.back();
      if (p_ < end_ && *p_ == ',') {
        ++p_;
        if (close == '}') member();
        return true;
      }
      if (p_ == end_ || *p_ != close)
        fail(p_, std::string("expected ',' or '") + close + "', got " + describe(p_));
      ++p_;
      open_.pop_back();
      if (events()) close == '}' ? handler_.end_object() : handler_.end_array();
    }
  }

  // A member's name and its ':'; its value comes next, skipped without events when the handler
  // declines it.
  void member() {
    skip_space();
    token_ = p_;
    if (p_ == end_ || *p_ != '"') fail(p_, "expected a member name in double quotes, got " + describe(p_));
    const std::string_view name = string();
    skip_space();
    if (p_ == end_ || *p_ != ':') fail(p_, "expected ':' after a member name, got " + describe(p_));
    ++p_;
    if (events() && !handler_.key(name)) skip_from_ = open_.size();
  }

  void scalar() {
    const char c = p_ < end_ ? *p_ : '\0';
    if (c == '"') {
      const std::string_view s = string();
      if (events()) handler_.string(s);
    } else if (c == '-' || is_digit(c)) {
      number();
    } else if (literal("true") || literal("false")) {
      if (events()) handler_.boolean(c == 't');
    } else if (literal("null")) {
      if (events()) handler_.null();
    } else if (literal("NaN") || literal("Infinity")) {
      fail(token_, "NaN and Infinity are not JSON numbers");
    } else {
      fail(p_, "expected a value, got " + describe(p_));
    }
  }

  bool literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  void number() {
    const char* start = p_;
    if (*p_ == '-') ++p_;
    if (literal("Infinity")) fail(start, "NaN and Infinity are not JSON numbers");
    if (p_ == end_ || !is_digit(*p_)) fail(p_, "expected a digit after '-', got " + describe(p_));
    if (*p_ == '0' && p_ + 1 < end_ && is_digit(p_[1])) fail(start, "a number with a leading zero");
    digits();
    bool integer = true;
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !is_digit(*p_)) fail(p_, "expected a digit after the decimal point, got " + describe(p_));
      digits();
      integer = false;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !is_digit(*p_)) fail(p_, "expected a digit in the exponent, got " + describe(p_));
      digits();
      integer = false;
    }
    if (!events()) return;
    JsonNumber n;
    n.text = std::string_view(start, static_cast<size_t>(p_ - start));
    n.integer = integer;
    const std::from_chars_result r = std::from_chars(start, p_, n.value);
    if (r.ec == std::errc::result_out_of_range) n.value = out_of_range_value(n.text);
    n.in_int64 = integer && std::from_chars(start, p_, n.int_value).ec == std::errc();
    handler_.number(n);
  }

  void digits() {
    while (p_ < end_ && is_digit(*p_)) ++p_;
  }

  // The string whose opening quote is at p_, escapes decoded: a view of the text, or of decoded_
  // when it has escapes (valid until the next string).
  std::string_view string() {
    const char* open = p_++;
    const char* s = p_;
    bool decoding = false;
    for (;;) {
      if (p_ == end_) fail(open, "a string that does not end");
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') break;
      if (c < 0x20)
        fail(p_, "a control character (byte 0x" + hex_text(c, 2) + ") in a string: JSON writes it as an escape");
      if (c == '\\') {
        if (!decoding) decoded_.assign(s, static_cast<size_t>(p_ - s)), decoding = true;
        escape();
        continue;
      }
      int n = 1;
      if (c >= 0x80 && (n = utf8_length(p_, end_)) == 0)
        fail(p_, "invalid UTF-8 (byte 0x" + hex_text(c, 2) + ") in a string");
      if (decoding) decoded_.append(p_, static_cast<size_t>(n));
      p_ += n;
    }
    const char* close = p_++;
    return decoding ? std::string_view(decoded_) : std::string_view(s, static_cast<size_t>(close - s));
  }

  // The escape at p_ (its backslash) onto decoded_.
  void escape() {
    const char* at = p_;
    if (end_ - p_ < 2) fail(at, "a string that does not end");
    const char e = p_[1];
    const char* simple = e == '"' ? "\"" : e == '\\' ? "\\" : e == '/' ? "/" : e == 'b' ? "\b" : e == 'f' ? "\f"
                       : e == 'n' ? "\n" : e == 'r' ? "\r" : e == 't' ? "\t" : nullptr;
    if (simple) {
      decoded_ += simple;
      p_ += 2;
      return;
    }
    if (e != 'u') fail(at, "an invalid escape: \\ followed by " + describe(p_ + 1));
    uint32_t cp = unicode_escape();
    if (is_low_surrogate(cp)) fail(at, "an unpaired surrogate \\u" + hex_text(cp, 4));
    if (is_high_surrogate(cp)) {
      const bool paired = end_ - p_ >= 2 && p_[0] == '\\' && p_[1] == 'u';
      const uint32_t low = paired ? unicode_escape() : 0;
      if (!is_low_surrogate(low))
        fail(at, "an unpaired surrogate \\u" + hex_text(cp, 4) + " (a high surrogate not followed by a \\u escape of a low one)");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(decoded_, cp);
  }

  // The code unit of the \u escape at p_.
  uint32_t unicode_escape() {
    const int32_t u = end_ - p_ >= 6 ? hex4(p_ + 2) : -1;
    if (u < 0) fail(p_, "a \\u escape without 4 hex digits");
    p_ += 6;
    return static_cast<uint32_t>(u);
  }

  // What is at `at`, for messages.
  std::string describe(const char* at) const {
    if (at == end_) return "the end of the text";
    const auto c = static_cast<unsigned char>(*at);
    if (c == '"') return "a string";
    if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
    if (c < 0x80) return "the byte 0x" + hex_text(c, 2);
    const int n = utf8_length(at, end_);
    if (n == 0) return "the byte 0x" + hex_text(c, 2) + ", which is not UTF-8";
    return "'" + std::string(at, static_cast<size_t>(n)) + "'";
  }

  static constexpr size_t kNoSkip = ~size_t(0);

  const char* p_;
  const char* end_;
  const char* token_;
  JsonHandler& handler_;
  std::string open_;             // the closing bracket of every open array and object
  size_t skip_from_ = kNoSkip;   // while a declined member's value is read: the depth of its object
  std::string decoded_;
};

}  // namespace

std::string number_text(const JsonNumber& number) {
  if (!number.text.empty()) return std::string(number.text);
  if (number.in_int64) return std::to_string(number.int_value);
  return python_repr(number.value);
}

void read_json(std::string_view bytes, JsonHandler& handler, const std::string& source, const char* op) {
  std::string_view text = bytes;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte order mark
  Parser parser(text, handler);
  try {
    if (const char* encoding = wide_encoding(bytes))
      throw SyntaxError{text.data(), std::string("the text is ") + encoding +
                                         ", not UTF-8 (JSON text must be UTF-8: RFC 8259 section 8.1)"};
    parser.run();
  } catch (const SyntaxError& e) {
    throw ValueError(where(op, source, text, e.at) + "invalid JSON: " + e.what);
  } catch (const ValueError& e) {
    throw ValueError(where(op, source, text, parser.token()) + e.what());
  }
}

}  // namespace cvcore
