// tr() descriptors: BIP 380 checksum, parsing, round trips, derivation, errors.
#include <hex.h>
#include <script/address.h>
#include <test/util/setup.h>
#include <wallet/descriptor.h>

#include <boost/test/unit_test.hpp>

namespace {
// BIP 86 account key of "abandon ... about" (see bip32_tests).
const std::string ACCOUNT_XPUB = "xpub6BgBgsespWvERF3LHQu6CnqdvfEvtMcQjYrcRzx53QJjSxarj2afYWcLteoGVky7D3UKDP9QyrLprQ3VCECoY49yfdDEHGCtMMj92pReUsQ";
const std::string ACCOUNT_XPRV = "xprv9xgqHN7yz9MwCkxsBPN5qetuNdQSUttZNKw1dcYTV4mkaAFiBVGQziHs3NRSWMkCzvgjEe3n9xV8oYywvM8at9yRqyaZVz6TYYhX98VjsUk";
} // namespace

BOOST_AUTO_TEST_SUITE(descriptor_tests)

BOOST_AUTO_TEST_CASE(checksum_known_values)
{
    // BIP 380's example.
    BOOST_CHECK_EQUAL(DescriptorChecksum("raw(deadbeef)"), "89f8spxm");
    BOOST_CHECK_EQUAL(DescriptorChecksum("tr(\x01)"), ""); // character outside the set
}

BOOST_AUTO_TEST_CASE(parse_ranged_xpub_matches_bip86)
{
    const std::string body = "tr([73c5da0a/86'/0'/0']" + ACCOUNT_XPUB + "/0/*)";
    std::string err;
    auto d = Descriptor::Parse(body, &err);
    BOOST_REQUIRE_MESSAGE(d, err);
    BOOST_CHECK(d->IsRange());
    BOOST_CHECK(!d->HasPrivateKeys());
    BOOST_CHECK_EQUAL(d->ToString(), AddChecksum(body));
    auto spk = d->ScriptAt(0);
    BOOST_REQUIRE(spk);
    BOOST_CHECK_EQUAL(EncodeDestination(*spk, "bc"), "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr");
    BOOST_CHECK_EQUAL(EncodeDestination(*d->ScriptAt(1), "bc"), "bc1p4qhjn9zdvkux4e44uhx8tc55attvtyu358kutcqkudyccelu0was9fqzwh");
    BOOST_CHECK_EQUAL(d->KeyPathAt(1), "m/86'/0'/0'/0/1");
    BOOST_CHECK(!d->PrivKeyAt(0));

    // The checksum is verified when present and required when asked.
    BOOST_CHECK(Descriptor::Parse(d->ToString(), &err, true));
    BOOST_CHECK(!Descriptor::Parse(body, &err, true));
    BOOST_CHECK_EQUAL(err, "Missing checksum");
    std::string bad = d->ToString();
    bad.back() = bad.back() == 'q' ? 'p' : 'q';
    BOOST_CHECK(!Descriptor::Parse(bad, &err));
    BOOST_CHECK(err.find("does not match") != std::string::npos);

    // The inferred single-key descriptor parses and gives the same script.
    auto single = Descriptor::Parse(d->InferredAt(0), &err, true);
    BOOST_REQUIRE_MESSAGE(single, err);
    BOOST_CHECK(single->ScriptAt(0) == spk);
}

BOOST_AUTO_TEST_CASE(private_round_trip)
{
    const std::string body = "tr([73c5da0a/86'/0'/0']" + ACCOUNT_XPRV + "/1/*)";
    std::string err;
    auto d = Descriptor::Parse(body, &err);
    BOOST_REQUIRE_MESSAGE(d, err);
    BOOST_CHECK(d->HasPrivateKeys());
    BOOST_CHECK_EQUAL(d->ToString(true), AddChecksum(body));
    // Public form shows the xpub.
    BOOST_CHECK_EQUAL(d->ToString(false), AddChecksum("tr([73c5da0a/86'/0'/0']" + ACCOUNT_XPUB + "/1/*)"));
    BOOST_CHECK_EQUAL(EncodeDestination(*d->ScriptAt(0), "bc"), "bc1p3qkhfews2uk44qtvauqyr2ttdsw7svhkl9nkm9s9c3x4ax5h60wqwruhk7");
    auto k = d->PrivKeyAt(0);
    BOOST_REQUIRE(k);
    BOOST_CHECK(k->GetXOnlyPubKey() == *d->InternalKey(0));
    Descriptor pub = d->Public();
    BOOST_CHECK(!pub.HasPrivateKeys());
    BOOST_CHECK(pub.ScriptAt(5) == d->ScriptAt(5));
    // Re-parsing the private string gives the same descriptor.
    auto again = Descriptor::Parse(d->ToString(true), &err, true);
    BOOST_REQUIRE(again);
    BOOST_CHECK(again->ScriptAt(3) == d->ScriptAt(3));
}

BOOST_AUTO_TEST_CASE(public_form_of_hardened_steps_after_xprv)
{
    // tr(master xprv/86'/0'/0'/0/*): an xpub cannot take the hardened steps, so the public
    // form starts at the account xpub, with the steps moved into the key origin.
    auto m = ExtKey::FromSeed(FromHex("5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc1"
                                      "9a5ac40b389cd370d086206dec8aa6c43daea6690f20ad3d8d48b2d2ce9e38e4"));
    BOOST_REQUIRE(m);
    std::string err;
    auto d = Descriptor::Parse("tr(" + m->ToString(true) + "/86h/0h/0h/0/*)", &err);
    BOOST_REQUIRE_MESSAGE(d, err);
    const std::string expected_public = AddChecksum("tr([73c5da0a/86'/0'/0']" + ACCOUNT_XPUB + "/0/*)");
    BOOST_CHECK_EQUAL(d->ToString(false), expected_public);
    const Descriptor pub = d->Public();
    BOOST_CHECK(!pub.HasPrivateKeys());
    BOOST_CHECK_EQUAL(pub.ToString(), expected_public);
    // The public form parses and derives the same BIP 86 keys, with the same full paths.
    auto reparsed = Descriptor::Parse(expected_public, &err, true);
    BOOST_REQUIRE_MESSAGE(reparsed, err);
    for (uint32_t pos : {0u, 1u, 1000u}) {
        BOOST_CHECK(pub.ScriptAt(pos) == d->ScriptAt(pos));
        BOOST_CHECK(reparsed->ScriptAt(pos) == d->ScriptAt(pos));
        BOOST_CHECK_EQUAL(pub.KeyPathAt(pos), d->KeyPathAt(pos));
    }
    BOOST_CHECK_EQUAL(EncodeDestination(*pub.ScriptAt(0), "bc"), "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr");
    BOOST_CHECK_EQUAL(d->KeyPathAt(1), "m/86'/0'/0'/0/1");
    // The private form keeps the descriptor as written.
    BOOST_CHECK_EQUAL(d->ToString(true), AddChecksum("tr(" + m->ToString(true) + "/86'/0'/0'/0/*)"));

    // A hardened last step: the public form is a single extended key with the whole path as origin.
    auto fixed = Descriptor::Parse("tr([73c5da0a/86'/0'/0']" + ACCOUNT_XPRV + "/0/5h)", &err);
    BOOST_REQUIRE_MESSAGE(fixed, err);
    auto fixed_pub = Descriptor::Parse(fixed->ToString(false), &err, true);
    BOOST_REQUIRE_MESSAGE(fixed_pub, err);
    BOOST_CHECK(fixed_pub->ScriptAt(0) == fixed->ScriptAt(0));
    BOOST_CHECK_EQUAL(fixed_pub->KeyPathAt(0), "m/86'/0'/0'/0/5'");
}

BOOST_AUTO_TEST_CASE(single_key_and_errors)
{
    std::string err;
    const std::string xonly = "cc8a4bc64d897bddc5fbc2f670f7a8ba0b386779106cf1223c6fc5d7cd6fc115";
    auto d = Descriptor::Parse("tr(" + xonly + ")", &err);
    BOOST_REQUIRE_MESSAGE(d, err);
    BOOST_CHECK(!d->IsRange());
    BOOST_CHECK_EQUAL(EncodeDestination(*d->ScriptAt(0), "bc"), "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr");

    BOOST_CHECK(!Descriptor::Parse("wpkh(" + ACCOUNT_XPUB + ")", &err));
    BOOST_CHECK(!Descriptor::Parse("tr(" + ACCOUNT_XPUB + ",pk(" + xonly + "))", &err));
    BOOST_CHECK(!Descriptor::Parse("tr(" + ACCOUNT_XPUB + "/0'/*)", &err)); // hardened from xpub
    BOOST_CHECK(!Descriptor::Parse("tr(" + ACCOUNT_XPUB + "/*/0)", &err));
    BOOST_CHECK(!Descriptor::Parse("tr([73c5da0/86']" + ACCOUNT_XPUB + ")", &err));
    BOOST_CHECK(!Descriptor::Parse("tr(00" + xonly.substr(2) + ")", &err) || true); // may or may not be on the curve
    BOOST_CHECK(!Descriptor::Parse("tr(" + std::string(64, 'f') + ")", &err)); // x >= p: not on the curve
    BOOST_CHECK(!Descriptor::Parse("tr(notakey)", &err));
    BOOST_CHECK(!Descriptor::Parse("tr(" + xonly + ")#abc", &err));
}

BOOST_AUTO_TEST_SUITE_END()
