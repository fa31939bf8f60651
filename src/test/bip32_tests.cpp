// BIP 32 test vectors 1-3 and BIP 86 test vectors (keys, scripts, "bc" addresses).
#include <hex.h>
#include <script/address.h>
#include <script/standard.h>
#include <test/util/setup.h>
#include <wallet/base58.h>
#include <wallet/bip32.h>

#include <boost/test/unit_test.hpp>

#include <sstream>

namespace {
constexpr uint32_t H = BIP32_HARDENED;

struct Step {
    uint32_t index;
    const char* xpub;
    const char* xprv;
};

/** Derives each step from the previous one, privately and (when not hardened)
 *  publicly, and compares both serializations; also round-trips the strings. */
void CheckVector(const std::string& seed_hex, const std::string& m_pub, const std::string& m_prv, const std::vector<Step>& steps)
{
    auto m = ExtKey::FromSeed(FromHex(seed_hex));
    BOOST_REQUIRE(m);
    BOOST_CHECK_EQUAL(m->ToString(true), m_prv);
    BOOST_CHECK_EQUAL(m->Neuter().ToString(true), m_pub);
    ExtKey k = *m;
    for (const auto& s : steps) {
        ExtPubKey parent_pub = k.Neuter();
        auto child = k.Derive(s.index);
        BOOST_REQUIRE(child);
        k = *child;
        BOOST_CHECK_EQUAL(k.ToString(true), s.xprv);
        BOOST_CHECK_EQUAL(k.Neuter().ToString(true), s.xpub);
        if (s.index < H) {
            auto pub_child = parent_pub.Derive(s.index);
            BOOST_REQUIRE(pub_child);
            BOOST_CHECK(*pub_child == k.Neuter());
        } else {
            BOOST_CHECK(!parent_pub.Derive(s.index)); // hardened needs the private key
        }
        auto parsed_prv = DecodeExtKey(s.xprv);
        BOOST_REQUIRE(parsed_prv && parsed_prv->is_private && parsed_prv->mainnet);
        BOOST_CHECK(parsed_prv->priv == k);
        auto parsed_pub = DecodeExtKey(s.xpub);
        BOOST_REQUIRE(parsed_pub && !parsed_pub->is_private);
        BOOST_CHECK(parsed_pub->pub == k.Neuter());
    }
}
} // namespace

BOOST_AUTO_TEST_SUITE(bip32_tests)

BOOST_AUTO_TEST_CASE(base58_round_trip)
{
    BOOST_CHECK_EQUAL(EncodeBase58({}), "");
    BOOST_CHECK_EQUAL(EncodeBase58({0, 0, 1}), "112");
    BOOST_CHECK_EQUAL(EncodeBase58(FromHex("61")), "2g");
    BOOST_CHECK_EQUAL(EncodeBase58(FromHex("626262")), "a3gV");
    auto d = DecodeBase58("112", 10);
    BOOST_REQUIRE(d);
    BOOST_CHECK(*d == std::vector<uint8_t>({0, 0, 1}));
    BOOST_CHECK(!DecodeBase58("0OIl", 10)); // not in the alphabet
    BOOST_CHECK(!DecodeBase58("zzzzzzzzzzzzzzzz", 4)); // longer than allowed
    const std::string c = EncodeBase58Check({1, 2, 3});
    BOOST_CHECK(DecodeBase58Check(c, 10) == std::vector<uint8_t>({1, 2, 3}));
    std::string bad = c;
    bad.back() = bad.back() == 'z' ? 'y' : 'z';
    BOOST_CHECK(!DecodeBase58Check(bad, 10));
}

BOOST_AUTO_TEST_CASE(vector1)
{
    CheckVector("000102030405060708090a0b0c0d0e0f",
                "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8",
                "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi",
                {{0 | H, "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw",
                  "xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7"},
                 {1, "xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5uMash7SyYq527Hqck2AxYysAA7xmALppuCkwQ",
                  "xprv9wTYmMFdV23N2TdNG573QoEsfRrWKQgWeibmLntzniatZvR9BmLnvSxqu53Kw1UmYPxLgboyZQaXwTCg8MSY3H2EU4pWcQDnRnrVA1xe8fs"},
                 {2 | H, "xpub6D4BDPcP2GT577Vvch3R8wDkScZWzQzMMUm3PWbmWvVJrZwQY4VUNgqFJPMM3No2dFDFGTsxxpG5uJh7n7epu4trkrX7x7DogT5Uv6fcLW5",
                  "xprv9z4pot5VBttmtdRTWfWQmoH1taj2axGVzFqSb8C9xaxKymcFzXBDptWmT7FwuEzG3ryjH4ktypQSAewRiNMjANTtpgP4mLTj34bhnZX7UiM"},
                 {2, "xpub6FHa3pjLCk84BayeJxFW2SP4XRrFd1JYnxeLeU8EqN3vDfZmbqBqaGJAyiLjTAwm6ZLRQUMv1ZACTj37sR62cfN7fe5JnJ7dh8zL4fiyLHV",
                  "xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in334"},
                 {1000000000, "xpub6H1LXWLaKsWFhvm6RVpEL9P4KfRZSW7abD2ttkWP3SSQvnyA8FSVqNTEcYFgJS2UaFcxupHiYkro49S8yGasTvXEYBVPamhGW6cFJodrTHy",
                  "xprvA41z7zogVVwxVSgdKUHDy1SKmdb533PjDz7J6N6mV6uS3ze1ai8FHa8kmHScGpWmj4WggLyQjgPie1rFSruoUihUZREPSL39UNdE3BBDu76"}});
}

BOOST_AUTO_TEST_CASE(vector2)
{
    CheckVector("fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a29f9c999693908d8a8784817e7b7875726f6c696663605d5a5754514e4b484542",
                "xpub661MyMwAqRbcFW31YEwpkMuc5THy2PSt5bDMsktWQcFF8syAmRUapSCGu8ED9W6oDMSgv6Zz8idoc4a6mr8BDzTJY47LJhkJ8UB7WEGuduB",
                "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U",
                {{0, "xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH",
                  "xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81dwSM1fwqWpWkeS3v86pgKt"},
                 {2147483647 | H, "xpub6ASAVgeehLbnwdqV6UKMHVzgqAG8Gr6riv3Fxxpj8ksbH9ebxaEyBLZ85ySDhKiLDBrQSARLq1uNRts8RuJiHjaDMBU4Zn9h8LZNnBC5y4a",
                  "xprv9wSp6B7kry3Vj9m1zSnLvN3xH8RdsPP1Mh7fAaR7aRLcQMKTR2vidYEeEg2mUCTAwCd6vnxVrcjfy2kRgVsFawNzmjuHc2YmYRmagcEPdU9"},
                 {1, "xpub6DF8uhdarytz3FWdA8TvFSvvAh8dP3283MY7p2V4SeE2wyWmG5mg5EwVvmdMVCQcoNJxGoWaU9DCWh89LojfZ537wTfunKau47EL2dhHKon",
                  "xprv9zFnWC6h2cLgpmSA46vutJzBcfJ8yaJGg8cX1e5StJh45BBciYTRXSd25UEPVuesF9yog62tGAQtHjXajPPdbRCHuWS6T8XA2ECKADdw4Ef"},
                 {2147483646 | H, "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL",
                  "xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc"},
                 {2, "xpub6FnCn6nSzZAw5Tw7cgR9bi15UV96gLZhjDstkXXxvCLsUXBGXPdSnLFbdpq8p9HmGsApME5hQTZ3emM2rnY5agb9rXpVGyy3bdW6EEgAtqt",
                  "xprvA2nrNbFZABcdryreWet9Ea4LvTJcGsqrMzxHx98MMrotbir7yrKCEXw7nadnHM8Dq38EGfSh6dqA9QWTyefMLEcBYJUuekgW4BYPJcr9E7j"}});
}

BOOST_AUTO_TEST_CASE(vector3_leading_zeros)
{
    CheckVector("4b381541583be4423346c643850da4b320e46a87ae3d2a4e6da11eba819cd4acba45d239319ac14f863b8d5ab5a0d0c64d2e8a1e7d1457df2e5a3c51c73235be",
                "xpub661MyMwAqRbcEZVB4dScxMAdx6d4nFc9nvyvH3v4gJL378CSRZiYmhRoP7mBy6gSPSCYk6SzXPTf3ND1cZAceL7SfJ1Z3GC8vBgp2epUt13",
                "xprv9s21ZrQH143K25QhxbucbDDuQ4naNntJRi4KUfWT7xo4EKsHt2QJDu7KXp1A3u7Bi1j8ph3EGsZ9Xvz9dGuVrtHHs7pXeTzjuxBrCmmhgC6",
                {{0 | H, "xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y",
                  "xprv9uPDJpEQgRQfDcW7BkF7eTya6RPxXeJCqCJGHuCJ4GiRVLzkTXBAJMu2qaMWPrS7AANYqdq6vcBcBUdJCVVFceUvJFjaPdGZ2y9WACViL4L"}});
}

BOOST_AUTO_TEST_CASE(bip86_vectors)
{
    // BIP 86: the BIP 39 seed of "abandon ... about" (empty passphrase), given as bytes.
    auto m = ExtKey::FromSeed(FromHex("5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc1"
                                      "9a5ac40b389cd370d086206dec8aa6c43daea6690f20ad3d8d48b2d2ce9e38e4"));
    BOOST_REQUIRE(m);
    BOOST_CHECK_EQUAL(m->ToString(true), "xprv9s21ZrQH143K3GJpoapnV8SFfukcVBSfeCficPSGfubmSFDxo1kuHnLisriDvSnRRuL2Qrg5ggqHKNVpxR86QEC8w35uxmGoggxtQTPvfUu");
    BOOST_CHECK_EQUAL(HexStr(m->Neuter().Fingerprint().data(), 4), "73c5da0a");
    auto account = m->DerivePath(*ParseHDPath("m/86'/0'/0'"));
    BOOST_REQUIRE(account);
    BOOST_CHECK_EQUAL(account->ToString(true), "xprv9xgqHN7yz9MwCkxsBPN5qetuNdQSUttZNKw1dcYTV4mkaAFiBVGQziHs3NRSWMkCzvgjEe3n9xV8oYywvM8at9yRqyaZVz6TYYhX98VjsUk");
    BOOST_CHECK_EQUAL(account->Neuter().ToString(true), "xpub6BgBgsespWvERF3LHQu6CnqdvfEvtMcQjYrcRzx53QJjSxarj2afYWcLteoGVky7D3UKDP9QyrLprQ3VCECoY49yfdDEHGCtMMj92pReUsQ");

    // Vectors file rows: m/86'/0'/0'/0/0, m/86'/0'/0'/0/1, m/86'/0'/0'/1/0.
    const std::vector<std::string> paths{"m/86'/0'/0'/0/0", "m/86h/0h/0h/0/1", "86'/0'/0'/1/0"};
    std::istringstream in(ReadTestData("bip86_vectors.txt"));
    std::string line;
    size_t row = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        BOOST_REQUIRE(row < paths.size());
        std::vector<std::string> f;
        std::stringstream ls(line);
        std::string part;
        while (std::getline(ls, part, '|')) f.push_back(part);
        BOOST_REQUIRE_EQUAL(f.size(), 4U);
        auto k = m->DerivePath(*ParseHDPath(paths[row]));
        BOOST_REQUIRE(k);
        const XOnlyPubKey internal = XOnlyOf(GetCompressedPubKey(k->key));
        BOOST_CHECK_EQUAL(HexStr(internal.ToBytes()), f[0]);
        // Public derivation from the account xpub gives the same key.
        const auto rel = *ParseHDPath(paths[row]);
        auto pub = account->Neuter().Derive(rel[3]);
        BOOST_REQUIRE(pub);
        pub = pub->Derive(rel[4]);
        BOOST_REQUIRE(pub);
        BOOST_CHECK_EQUAL(HexStr(XOnlyOf(pub->pubkey).ToBytes()), f[0]);
        auto spk = Bip86OutputScript(internal);
        BOOST_REQUIRE(spk);
        BOOST_CHECK_EQUAL(HexStr(*spk), f[2]);
        BOOST_CHECK_EQUAL(EncodeDestination(*spk, "bc"), f[3]);
        ++row;
    }
    BOOST_CHECK_EQUAL(row, 3U);
}

BOOST_AUTO_TEST_CASE(testnet_versions_and_errors)
{
    auto m = ExtKey::FromSeed(FromHex("000102030405060708090a0b0c0d0e0f"));
    BOOST_REQUIRE(m);
    const std::string tprv = m->ToString(false);
    const std::string tpub = m->Neuter().ToString(false);
    BOOST_CHECK_EQUAL(tprv.substr(0, 4), "tprv");
    BOOST_CHECK_EQUAL(tpub.substr(0, 4), "tpub");
    auto p = DecodeExtKey(tprv);
    BOOST_REQUIRE(p);
    BOOST_CHECK(p->is_private && !p->mainnet && p->priv == *m);

    std::string err;
    BOOST_CHECK(!DecodeExtKey("xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet9", &err));
    BOOST_CHECK(!err.empty());
    BOOST_CHECK(!DecodeExtKey("", &err));
    BOOST_CHECK(!DecodeExtKey(EncodeBase58Check(std::vector<uint8_t>(78, 0)), &err)); // unknown version
    BOOST_CHECK(!ExtKey::FromSeed(std::vector<uint8_t>(15, 1)));

    BOOST_CHECK(ParseHDPath("m/86'/1h/0H/0/5") == std::vector<uint32_t>({86 | H, 1 | H, 0 | H, 0, 5}));
    BOOST_CHECK(!ParseHDPath("m/2147483648"));
    BOOST_CHECK(!ParseHDPath("m/1//2"));
    BOOST_CHECK(!ParseHDPath("m/x"));
    BOOST_CHECK_EQUAL(FormatHDPath({86 | H, 1 | H, 0 | H, 1, 7}), "m/86'/1'/0'/1/7");
}

BOOST_AUTO_TEST_SUITE_END()
