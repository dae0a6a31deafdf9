#include <doctest/doctest.h>

#include <string>

#include "hash.h"

using namespace outcomes;

TEST_CASE("sha256_hex matches the FIPS 180 test vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000, 'a')) ==
        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

TEST_CASE("Sha256 fed in pieces equals the digest of the whole, and can go on after hex()") {
  Sha256 sha;
  sha.update("a");
  sha.update("");
  sha.update("b");
  CHECK(sha.hex() == sha256_hex("ab"));
  sha.update("c");
  CHECK(sha.hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(sha.digest()) == sha.hex());
  Sha256 moved = std::move(sha);
  moved.update("d");
  CHECK(moved.hex() == sha256_hex("abcd"));
}

TEST_CASE("HMAC-SHA-256 matches RFC 4231") {
  // Test case 2, and case 6 (a key longer than the block).
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(hmac_sha256_hex(std::string(131, '\xaa'),
                        "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // An empty key is a key of no bytes (worked out independently).
  CHECK(hmac_sha256_hex("", "") ==
        "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST_CASE("one HmacSha256 gives each message its own MAC under the same key") {
  HmacSha256 mac("Jefe");
  CHECK(mac.hex("something else") == hmac_sha256_hex("Jefe", "something else"));
  CHECK(mac.hex("what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(mac.hex("what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(to_hex(mac.mac("x")) == hmac_sha256_hex("Jefe", "x"));
}

TEST_CASE("the legacy digest is 64-bit FNV-1a, marked with its prefix") {
  // Published FNV-1a 64 test vectors.
  CHECK(LegacyFnv1a64().hex() == "fnv1a64:cbf29ce484222325");
  LegacyFnv1a64 a;
  a.update("a");
  CHECK(a.hex() == "fnv1a64:af63dc4c8601ec8c");
  LegacyFnv1a64 foobar;
  foobar.update("foo");
  foobar.update("bar");
  CHECK(foobar.hex() == "fnv1a64:85944171f73967e8");
  CHECK(is_legacy_digest(foobar.hex()));
  CHECK_FALSE(is_legacy_digest(sha256_hex("foobar")));
  CHECK_FALSE(is_legacy_digest("fnv1a"));
}
