#include "common/random_hex.h"

#include <sys/random.h>

namespace strata {

std::string RandomHex(size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string bytes((n + 1) / 2, '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t r = getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (r > 0) got += r;
  }
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  out.resize(n);
  return out;
}

}  // namespace strata
