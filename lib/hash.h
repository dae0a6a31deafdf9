// Digests through OpenSSL's libcrypto: SHA-256 (streaming and whole) and HMAC-SHA-256, as
// lowercase hex; plus the 64-bit FNV-1a digest stores written before SHA-256 still hold.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace outcomes {

// The 32 bytes of a SHA-256 digest.
using Sha256Digest = std::array<std::uint8_t, 32>;

// `bytes` as lowercase hex, two digits a byte.
std::string to_hex(const Sha256Digest& bytes);

// SHA-256 (FIPS 180-4) of bytes fed in pieces. Error if libcrypto cannot start a digest.
class Sha256 {
 public:
  Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  ~Sha256();
  // Adds bytes to the digested stream.
  void update(std::string_view bytes);
  // The digest of every byte fed so far; more may be fed afterwards.
  Sha256Digest digest() const;
  // digest() as 64 lowercase hex digits.
  std::string hex() const;

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// SHA-256 of `bytes`, as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

// HMAC-SHA-256 (RFC 2104) under one key, for many messages: the key is set up once.
class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key);
  HmacSha256(HmacSha256&&) noexcept;
  HmacSha256& operator=(HmacSha256&&) noexcept;
  ~HmacSha256();
  // The MAC of `message` under the key.
  Sha256Digest mac(std::string_view message);
  // mac() as 64 lowercase hex digits.
  std::string hex(std::string_view message);

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// HMAC-SHA-256 of `message` under `key`, as 64 lowercase hex digits.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// The prefix that marks a digest made by the legacy 64-bit FNV-1a (16 hex digits follow).
inline constexpr std::string_view kLegacyDigestPrefix = "fnv1a64:";

// True when `digest` is a legacy FNV-1a digest (it starts with kLegacyDigestPrefix).
bool is_legacy_digest(std::string_view digest);

// The digest earlier versions recorded for file contents and frameworks (64-bit FNV-1a),
// as kLegacyDigestPrefix and 16 lowercase hex digits. Only for recognising what an old
// store holds: never written for new data, never trusted alone.
// FNV-1a over `bytes`, continuing from `state` (the offset basis to start).
inline constexpr std::uint64_t kFnv1a64Basis = 0xcbf29ce484222325ULL;
std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t state = kFnv1a64Basis);
// Mixes a 64-bit value so that every bit of the result depends on every bit of it (the
// splitmix64 finaliser).
std::uint64_t mix64(std::uint64_t h);

class LegacyFnv1a64 {
 public:
  // Adds bytes to the digested stream.
  void update(std::string_view bytes);
  // The digest of every byte so far, e.g. "fnv1a64:cbf29ce484222325" for no bytes.
  std::string hex() const;

 private:
  std::uint64_t hash_ = kFnv1a64Basis;
};

}  // namespace outcomes
