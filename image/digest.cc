#include "image/digest.h"

#include <openssl/evp.h>

#include <cassert>

namespace strata {

struct Sha256Hasher::Impl {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256Hasher::Sha256Hasher() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr);
}

Sha256Hasher::~Sha256Hasher() {
  if (impl_) EVP_MD_CTX_free(impl_->ctx);
}

Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

void Sha256Hasher::Update(const void* data, size_t size) {
  EVP_DigestUpdate(impl_->ctx, data, size);
  size_ += size;
}

Digest Sha256Hasher::Finish() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, md, &len);
  static const char kHex[] = "0123456789abcdef";
  std::string hex(len * 2, '0');
  for (unsigned i = 0; i < len; ++i) {
    hex[2 * i] = kHex[md[i] >> 4];
    hex[2 * i + 1] = kHex[md[i] & 15];
  }
  return Digest::Sha256FromHex(std::move(hex));
}

Result<Digest> Digest::Parse(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return Status::InvalidArgument("invalid digest \"" + std::string(text) +
                                   "\": expected algorithm:hex, e.g. sha256:<64 hex digits>");
  }
  std::string_view algorithm = text.substr(0, colon);
  std::string_view hex = text.substr(colon + 1);
  size_t want = algorithm == "sha256" ? 64 : algorithm == "sha512" ? 128 : 0;
  if (want == 0) {
    return Status::InvalidArgument("unsupported digest algorithm \"" + std::string(algorithm) +
                                   "\" in " + std::string(text) + ": use sha256");
  }
  if (hex.size() != want) {
    return Status::InvalidArgument("invalid digest " + std::string(text) + ": " +
                                   std::string(algorithm) + " needs " + std::to_string(want) +
                                   " hex digits, got " + std::to_string(hex.size()));
  }
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return Status::InvalidArgument("invalid digest " + std::string(text) +
                                     ": hex digits must be 0-9 or a-f (lowercase)");
    }
  }
  Digest d;
  d.algorithm_ = std::string(algorithm);
  d.hex_ = std::string(hex);
  return d;
}

Digest Digest::Sha256FromHex(std::string hex) {
  assert(hex.size() == 64);
  Digest d;
  d.algorithm_ = "sha256";
  d.hex_ = std::move(hex);
  return d;
}

Digest Digest::Sha256Of(std::string_view data) {
  Sha256Hasher h;
  h.Update(data);
  return h.Finish();
}

}  // namespace strata
