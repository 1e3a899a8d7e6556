#include "common/utf8.h"

namespace strata {

DecodedRune DecodeRune(std::string_view s) {
  if (s.empty()) return {kRuneError, 0};
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return {b0, 1};
  auto cont = [&](size_t i) {
    return i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
  };
  auto bits = [&](size_t i) {
    return static_cast<char32_t>(static_cast<unsigned char>(s[i]) & 0x3F);
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (!cont(1)) return {kRuneError, 1};
    return {((b0 & 0x1Fu) << 6) | bits(1), 2};
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return {kRuneError, 1};
    char32_t r = ((b0 & 0x0Fu) << 12) | (bits(1) << 6) | bits(2);
    if (r < 0x800 || (r >= 0xD800 && r <= 0xDFFF)) return {kRuneError, 1};
    return {r, 3};
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return {kRuneError, 1};
    char32_t r = ((b0 & 0x07u) << 18) | (bits(1) << 12) | (bits(2) << 6) | bits(3);
    if (r < 0x10000 || r > 0x10FFFF) return {kRuneError, 1};
    return {r, 4};
  }
  return {kRuneError, 1};
}

DecodedRune DecodeLastRune(std::string_view s) {
  if (s.empty()) return {kRuneError, 0};
  const size_t end = s.size();
  if (static_cast<unsigned char>(s[end - 1]) < 0x80) {
    return {static_cast<unsigned char>(s[end - 1]), 1};
  }
  // Back up over continuation bytes to a possible start, at most 4 bytes.
  size_t start = end - 1;
  while (start > 0 && end - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) {
    --start;
  }
  DecodedRune d = DecodeRune(s.substr(start));
  if (start + d.width != end) return {kRuneError, 1};
  return d;
}

void AppendRune(std::string* out, char32_t r) {
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
    return;
  }
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = kRuneError;
  if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
  }
  out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
}

size_t RuneCount(std::string_view s) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++count) i += DecodeRune(s.substr(i)).width;
  return count;
}

}  // namespace strata
