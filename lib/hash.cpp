#include "hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "error.h"

namespace outcomes {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Throws when a libcrypto call failed (returned 0 or null).
void require(bool ok, const char* what) {
  if (!ok) throw Error(std::string("libcrypto: ") + what + " failed");
}

}  // namespace

std::string to_hex(const Sha256Digest& bytes) {
  std::string out(bytes.size() * 2, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = kHexDigits[bytes[i] & 0xf];
  }
  return out;
}

// --- SHA-256

struct Sha256::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  Context() {
    require(ctx != nullptr, "EVP_MD_CTX_new");
    require(EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1, "EVP_DigestInit_ex(SHA-256)");
  }
  Context(const Context&) = delete;
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {}
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;
Sha256::~Sha256() = default;

void Sha256::update(std::string_view bytes) {
  require(EVP_DigestUpdate(context_->ctx, bytes.data(), bytes.size()) == 1, "EVP_DigestUpdate");
}

Sha256Digest Sha256::digest() const {
  // Finishes a copy, so that the stream itself can go on.
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  require(copy != nullptr, "EVP_MD_CTX_new");
  Sha256Digest out{};
  unsigned int size = 0;
  const bool ok = EVP_MD_CTX_copy_ex(copy, context_->ctx) == 1 &&
                  EVP_DigestFinal_ex(copy, out.data(), &size) == 1 && size == out.size();
  EVP_MD_CTX_free(copy);
  require(ok, "EVP_DigestFinal_ex(SHA-256)");
  return out;
}

std::string Sha256::hex() const {
  return to_hex(digest());
}

std::string sha256_hex(std::string_view bytes) {
  Sha256Digest out{};
  unsigned int size = 0;
  require(EVP_Digest(bytes.data(), bytes.size(), out.data(), &size, EVP_sha256(), nullptr) == 1 &&
              size == out.size(),
          "EVP_Digest(SHA-256)");
  return to_hex(out);
}

// --- HMAC-SHA-256

struct HmacSha256::Context {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  EVP_MAC_CTX* ctx = nullptr;
  explicit Context(std::string_view key) {
    require(mac != nullptr, "EVP_MAC_fetch(HMAC)");
    ctx = EVP_MAC_CTX_new(mac);
    require(ctx != nullptr, "EVP_MAC_CTX_new");
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end()};
    // A null key would mean "keep the previous key"; an empty key is a valid key of 0 bytes.
    static const unsigned char kNoBytes = 0;
    const auto* bytes =
        key.empty() ? &kNoBytes : reinterpret_cast<const unsigned char*>(key.data());
    require(EVP_MAC_init(ctx, bytes, key.size(), params) == 1, "EVP_MAC_init(HMAC-SHA-256)");
  }
  Context(const Context&) = delete;
  ~Context() {
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
  }
};

HmacSha256::HmacSha256(std::string_view key) : context_(std::make_unique<Context>(key)) {}
HmacSha256::HmacSha256(HmacSha256&&) noexcept = default;
HmacSha256& HmacSha256::operator=(HmacSha256&&) noexcept = default;
HmacSha256::~HmacSha256() = default;

Sha256Digest HmacSha256::mac(std::string_view message) {
  // Initialising without a key starts a new message under the key already set.
  EVP_MAC_CTX* ctx = context_->ctx;
  Sha256Digest out{};
  std::size_t size = 0;
  require(EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1 &&
              EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()),
                             message.size()) == 1 &&
              EVP_MAC_final(ctx, out.data(), &size, out.size()) == 1 && size == out.size(),
          "HMAC-SHA-256");
  return out;
}

std::string HmacSha256::hex(std::string_view message) {
  return to_hex(mac(message));
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  return HmacSha256(key).hex(message);
}

// --- legacy FNV-1a

bool is_legacy_digest(std::string_view digest) {
  return digest.substr(0, kLegacyDigestPrefix.size()) == kLegacyDigestPrefix;
}

std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t state) {
  for (unsigned char c : bytes) {
    state ^= c;
    state *= 0x100000001b3ULL;  // the FNV 64-bit prime
  }
  return state;
}

std::uint64_t mix64(std::uint64_t h) {
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

void LegacyFnv1a64::update(std::string_view bytes) { hash_ = fnv1a64(bytes, hash_); }

std::string LegacyFnv1a64::hex() const {
  std::string out(kLegacyDigestPrefix);
  for (int shift = 60; shift >= 0; shift -= 4) out += kHexDigits[(hash_ >> shift) & 0xf];
  return out;
}

}  // namespace outcomes
