// Wallet encryption: AES-256-GCM secrets and the scrypt-wrapped master key.
#include <wallet/crypter.h>

#include <streams.h>

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(crypter_tests)

BOOST_AUTO_TEST_CASE(secret_round_trip_and_tamper)
{
    KeyingMaterial key;
    key.bytes.fill(7);
    const std::vector<uint8_t> secret{1, 2, 3, 4, 5, 6, 7, 8, 9};
    const auto blob = EncryptSecret(key, secret, "desc:abc");
    BOOST_CHECK_EQUAL(blob.size(), 12 + secret.size() + 16);
    BOOST_CHECK(std::search(blob.begin(), blob.end(), secret.begin(), secret.end()) == blob.end());
    BOOST_CHECK(DecryptSecret(key, blob, "desc:abc") == secret);
    // Two encryptions of the same secret differ (random IV).
    BOOST_CHECK(EncryptSecret(key, secret, "desc:abc") != blob);

    BOOST_CHECK(!DecryptSecret(key, blob, "desc:other")); // wrong record binding
    KeyingMaterial wrong = key;
    wrong.bytes[0] ^= 1;
    BOOST_CHECK(!DecryptSecret(wrong, blob, "desc:abc"));
    auto tampered = blob;
    tampered[15] ^= 0x80;
    BOOST_CHECK(!DecryptSecret(key, tampered, "desc:abc"));
    BOOST_CHECK(!DecryptSecret(key, std::vector<uint8_t>(20, 0), "desc:abc"));
}

BOOST_AUTO_TEST_CASE(master_key_passphrase)
{
    // Small scrypt cost keeps the test quick; the format stores the parameters.
    auto [master, emk] = CreateMasterKey("correct horse", 10);
    auto unlocked = UnlockMasterKey(emk, "correct horse");
    BOOST_REQUIRE(unlocked);
    BOOST_CHECK(unlocked->bytes == master.bytes);
    BOOST_CHECK(!UnlockMasterKey(emk, "wrong horse"));
    BOOST_CHECK(!UnlockMasterKey(emk, ""));

    // Serialization round trip of the stored record.
    EncryptedMasterKey back;
    DeserializeExact(SerializeToBytes(emk), back);
    BOOST_CHECK(UnlockMasterKey(back, "correct horse")->bytes == master.bytes);

    // Passphrase change keeps the master key (secrets stay readable).
    auto rewrapped = RewrapMasterKey(master, "new pass", 10);
    BOOST_CHECK(!UnlockMasterKey(rewrapped, "correct horse"));
    BOOST_CHECK(UnlockMasterKey(rewrapped, "new pass")->bytes == master.bytes);

    // Out-of-range KDF parameters from a corrupt file are refused, not run.
    KdfParams bad;
    bad.log2_n = 40;
    BOOST_CHECK(!DeriveKeyFromPassphrase("x", bad));
}

BOOST_AUTO_TEST_SUITE_END()
