// UTF-8 checks shared by the readers of files: the JSON reader and the ONNX reader's messages.
#pragma once

#include <string>
#include <string_view>

namespace cvcore::detail {

// The length of the UTF-8 sequence at p (1 to 4 bytes), 0 when it is not one: a stray continuation
// byte, a truncated sequence, an overlong form, a surrogate or a code point beyond U+10FFFF.
inline int utf8_length(const char* at, const char* end) {
  const auto* p = reinterpret_cast<const unsigned char*>(at);
  const unsigned c = p[0];
  if (c < 0x80) return 1;
  int n = 0;
  unsigned lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (end - at < n || p[1] < lo || p[1] > hi) return 0;
  for (int i = 2; i < n; ++i)
    if ((p[i] & 0xC0) != 0x80) return 0;
  return n;
}

// `text` for a message: control characters and each byte that is not part of valid UTF-8 written as
// \xNN (names read from a file are bytes; a message is text, which a NUL would cut short).
inline std::string escaped(std::string_view text) {
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  const char* end = text.data() + text.size();
  for (const char* p = text.data(); p < end;) {
    const auto byte = static_cast<unsigned char>(*p);
    const int n = byte < 0x20 || byte == 0x7F ? 0 : utf8_length(p, end);
    if (n > 0) {
      out.append(p, size_t(n));
      p += n;
    } else {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
      ++p;
    }
  }
  return out;
}

// escaped(text) between single quotes.
inline std::string quoted(std::string_view text) { return "'" + escaped(text) + "'"; }

}  // namespace cvcore::detail
