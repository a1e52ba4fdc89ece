// JSON text a token at a time (see json.hpp).
#include "json.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace cvcore::detail {
namespace {

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

bool is_high_surrogate(uint32_t u) { return u >= 0xD800 && u <= 0xDBFF; }
bool is_low_surrogate(uint32_t u) { return u >= 0xDC00 && u <= 0xDFFF; }
uint32_t combine_surrogates(uint32_t hi, uint32_t lo) { return 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00); }

// Code units of `width` bytes (2 or 4) in the given byte order.
uint32_t code_unit(const unsigned char* p, int width, bool big_endian) {
  uint32_t u = 0;
  for (int i = 0; i < width; ++i) u |= uint32_t(p[big_endian ? i : width - 1 - i]) << (8 * (width - 1 - i));
  return u;
}

// UTF-16 or UTF-32 bytes (code units of `width` bytes) as UTF-8; `at` is their offset in the file,
// for errors.
std::string utf8_from_utf16_or_32(std::string_view bytes, int width, bool big_endian, size_t at) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  const std::string name = width == 2 ? "UTF-16" : "UTF-32";
  if (n % width != 0) throw JsonSyntaxError{at + n, name + " text that ends inside a code unit"};
  std::string out;
  out.reserve(n / width);
  for (size_t i = 0; i < n; i += width) {
    uint32_t u = code_unit(b + i, width, big_endian);
    if (width == 2 && is_high_surrogate(u) && i + 2 < n) {
      const uint32_t next = code_unit(b + i + 2, 2, big_endian);
      if (is_low_surrogate(next)) u = combine_surrogates(u, next), i += 2;
    }
    if (u > 0x10FFFF) throw JsonSyntaxError{at + i, name + " text with a code point beyond U+10FFFF"};
    append_utf8(out, u);
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The 4 hex digits at p (p + 4 <= end), or -1.
int32_t hex4(const char* p) {
  int32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    const int d = hex_digit(p[i]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// A decimal number that std::from_chars finds beyond double's range: +-inf when its magnitude is at
// least 1, else +-0 (its order of magnitude: the digits before the point, or minus the zeros after
// it, plus the exponent).
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

}  // namespace

Utf8Text::Utf8Text(std::string_view bytes) : text_(bytes) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
  const auto starts = [&](std::string_view prefix) { return bytes.substr(0, prefix.size()) == prefix; };
  int width = 0;
  bool big_endian = false;
  size_t skip = 0;
  if (starts(std::string_view("\0\0\xFE\xFF", 4)) || starts(std::string_view("\xFF\xFE\0\0", 4))) {
    width = 4, big_endian = byte(0) == 0, skip = 4;
  } else if (starts("\xFE\xFF") || starts("\xFF\xFE")) {
    width = 2, big_endian = byte(0) == 0xFE, skip = 2;
  } else if (starts("\xEF\xBB\xBF")) {
    text_ = bytes.substr(3);
  } else if (bytes.size() >= 4 && byte(0) == 0) {
    width = byte(1) ? 2 : 4, big_endian = true;
  } else if (bytes.size() >= 4 && byte(1) == 0) {
    width = byte(2) || byte(3) ? 2 : 4;
  } else if (bytes.size() == 2 && (byte(0) == 0 || byte(1) == 0)) {
    width = 2, big_endian = byte(0) == 0;
  }
  if (width == 0) return;
  converted_ = utf8_from_utf16_or_32(bytes.substr(skip), width, big_endian, skip);
  converted_from_ = width == 2 ? "UTF-16" : "UTF-32";
}

bool integral_value(const JsonNumber& number, int64_t* out) {
  const std::string_view t = number.text;
  if (t.find_first_not_of("-0123456789") == std::string_view::npos) {  // an integer literal: exact
    const std::from_chars_result r = std::from_chars(t.data(), t.data() + t.size(), *out);
    if (r.ec == std::errc() && r.ptr == t.data() + t.size()) return true;
  }
  const double v = number.value;
  if (!(v == std::floor(v) && v >= -0x1p63 && v < 0x1p63)) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

void JsonCursor::fail(const std::string& what) { throw JsonSyntaxError{offset(), what}; }

const char* JsonCursor::string_end(bool* escaped) {
  *escaped = false;
  for (const char* q = p_ + 1; q < end_; ++q) {
    if (*q == '"') return q;
    if (*q == '\\') *escaped = true, ++q;
  }
  fail("a string that does not end");
}

std::string_view JsonCursor::string() {
  if (peek() != '"') fail("expected a string in double quotes, got " + describe());
  bool escaped;
  const char* close = string_end(&escaped);
  const char* s = p_ + 1;
  p_ = close + 1;
  if (!escaped) return std::string_view(s, static_cast<size_t>(close - s));
  decoded_.clear();
  for (const char* q = s; q < close; ++q) {
    if (*q != '\\') {
      decoded_ += *q;
      continue;
    }
    const char e = q[1];
    const char* simple = e == '"' ? "\"" : e == '\\' ? "\\" : e == '/' ? "/" : e == 'b' ? "\b" : e == 'f' ? "\f"
                       : e == 'n' ? "\n" : e == 'r' ? "\r" : e == 't' ? "\t" : nullptr;
    const int32_t u = e == 'u' && close - q >= 6 ? hex4(q + 2) : -1;
    if (simple) {
      decoded_ += simple;
      ++q;
    } else if (u >= 0) {
      uint32_t cp = static_cast<uint32_t>(u);
      q += 5;
      const int32_t next = close - q >= 7 && q[1] == '\\' && q[2] == 'u' ? hex4(q + 3) : -1;
      if (is_high_surrogate(cp) && next >= 0 && is_low_surrogate(static_cast<uint32_t>(next)))
        cp = combine_surrogates(cp, static_cast<uint32_t>(next)), q += 6;
      append_utf8(decoded_, cp);
    } else {  // kept as written
      decoded_ += *q;
    }
  }
  return decoded_;
}

bool JsonCursor::number(JsonNumber* out) {
  peek();
  double v = 0;
  const std::from_chars_result r = std::from_chars(p_, end_, v);
  if (r.ptr == p_) return false;
  out->text = std::string_view(p_, static_cast<size_t>(r.ptr - p_));
  out->value = r.ec == std::errc::result_out_of_range ? out_of_range_value(out->text) : v;
  p_ = r.ptr;
  return true;
}

bool JsonCursor::literal(std::string_view word) {
  if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
  p_ += word.size();
  return true;
}

void JsonCursor::skip_value() {
  open_.clear();
  JsonNumber number_value;
  for (;;) {
    const char c = peek();
    if (c == '{' || c == '[') {
      ++p_;
      const char close = c == '{' ? '}' : ']';
      if (!consume(close)) {
        open_ += close;
        if (close == '}') {
          string();
          expect(':', "':'");
        }
        continue;  // the first element
      }
    } else if (c == '"') {
      bool escaped;
      p_ = string_end(&escaped) + 1;
    } else if (!literal("true") && !literal("false") && !literal("null") && !number(&number_value)) {
      fail("expected a value, got " + describe());
    }
    // After a value: the next element of the innermost open container, or its end.
    for (;;) {
      if (open_.empty()) return;
      if (consume(',')) {
        if (open_.back() == '}') {
          string();
          expect(':', "':'");
        }
        break;
      }
      expect(open_.back(), open_.back() == '}' ? "',' or '}'" : "',' or ']'");
      open_.pop_back();
    }
  }
}

std::string JsonCursor::describe() {
  const char c = peek();
  JsonNumber number_value;
  const char* at = p_;
  const bool is_number = number(&number_value);
  p_ = at;
  if (is_number) return "a number";
  switch (c) {
    case '\0': return p_ == end_ ? "the end of the text" : "the byte 0x00";
    case '"': return "a string";
    case '{': return "an object";
    case '[': return "an array";
    default: break;
  }
  for (const char* word : {"true", "false", "null"})
    if (literal(word)) {
      p_ = at;
      return word;
    }
  if (c == '\'') return "\"'\"";
  if (c >= 0x20 && c < 0x7F) return std::string("'") + c + "'";
  static const char* const kHex = "0123456789ABCDEF";
  const auto byte = static_cast<unsigned char>(c);
  return std::string("the byte 0x") + kHex[byte >> 4] + kHex[byte & 15];
}

}  // namespace cvcore::detail
