// Key-path signing (script/sign.h) and every failure mode of VerifyInputSpend
// (script/verify.h).
#include <primitives/transaction.h>
#include <script/keys.h>
#include <script/sighash.h>
#include <script/sign.h>
#include <script/standard.h>
#include <script/verify.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

BOOST_AUTO_TEST_SUITE(verify_tests)

namespace {

CKey KeyFrom(uint8_t fill)
{
    return *CKey::FromBytes(std::vector<uint8_t>(32, fill));
}

ScriptBytes Bip86Script(const CKey& key)
{
    return TaprootOutputScript(*TaprootTweak(key.GetXOnlyPubKey()));
}

uint256 Hash(uint8_t fill)
{
    std::vector<uint8_t> b(32, fill);
    return uint256(b.data());
}

/** Two inputs spending BIP 86 outputs of key1 and key2, two outputs. */
struct Fixture {
    CKey key1 = KeyFrom(0x11), key2 = KeyFrom(0x22);
    CMutableTransaction tx;
    std::vector<CTxOut> spent;

    Fixture()
    {
        tx.vin.emplace_back(COutPoint(Hash(0xa1), 0));
        tx.vin.emplace_back(COutPoint(Hash(0xa2), 3));
        tx.vout.emplace_back(70'000, Bip86Script(KeyFrom(0x33)));
        tx.vout.emplace_back(20'000, OdaOutputScript({0x02, 0x00}));
        spent.emplace_back(50'000, Bip86Script(key1));
        spent.emplace_back(60'000, Bip86Script(key2));
    }

    void SignBoth(uint8_t hash_type = SIGHASH_DEFAULT)
    {
        std::string error;
        BOOST_REQUIRE_MESSAGE(SignTaprootKeyPath(tx, 0, spent, key1, hash_type, &error), error);
        BOOST_REQUIRE_MESSAGE(SignTaprootKeyPath(tx, 1, spent, key2, hash_type, &error), error);
    }

    ScriptError Check(unsigned n, const CMutableTransaction& mtx, const std::vector<CTxOut>& outs) const
    {
        const CTransaction t(mtx);
        const PrecomputedTxData data(t, outs);
        ScriptError err = ScriptError::OK;
        bool ok = VerifyInputSpend(t, n, data, &err);
        BOOST_CHECK_EQUAL(ok, err == ScriptError::OK);
        return err;
    }
    ScriptError Check(unsigned n) const { return Check(n, tx, spent); }
};

} // namespace

BOOST_AUTO_TEST_CASE(sign_and_verify_every_hash_type)
{
    for (uint8_t h : {0x00, 0x01, 0x02, 0x03, 0x81, 0x82, 0x83}) {
        Fixture f;
        f.SignBoth(h);
        BOOST_CHECK_EQUAL(f.tx.vin[0].witness.stack.size(), 1u);
        BOOST_CHECK_EQUAL(f.tx.vin[0].witness.stack[0].size(), h == 0 ? 64u : 65u);
        if (h) BOOST_CHECK_EQUAL(f.tx.vin[0].witness.stack[0][64], h);
        BOOST_CHECK(f.tx.vin[0].script_sig.empty());
        BOOST_CHECK_MESSAGE(f.Check(0) == ScriptError::OK, "hash type " << int(h));
        BOOST_CHECK_MESSAGE(f.Check(1) == ScriptError::OK, "hash type " << int(h));
    }
}

BOOST_AUTO_TEST_CASE(hash_types_commit_to_what_they_say)
{
    // DEFAULT/ALL: changing an output breaks the signature.
    {
        Fixture f;
        f.SignBoth(SIGHASH_DEFAULT);
        CMutableTransaction m = f.tx;
        m.vout[0].value -= 1;
        BOOST_CHECK(f.Check(0, m, f.spent) == ScriptError::SCHNORR_SIG);
        // The spent amount is signed too (BIP 341 commits to all amounts).
        std::vector<CTxOut> other = f.spent;
        other[1].value += 1;
        BOOST_CHECK(f.Check(0, f.tx, other) == ScriptError::SCHNORR_SIG);
    }
    // NONE: outputs may change.
    {
        Fixture f;
        f.SignBoth(SIGHASH_NONE);
        CMutableTransaction m = f.tx;
        m.vout[0].value -= 1;
        m.vout.pop_back();
        BOOST_CHECK(f.Check(0, m, f.spent) == ScriptError::OK);
    }
    // SINGLE: only the output at the input's index is signed.
    {
        Fixture f;
        f.SignBoth(SIGHASH_SINGLE);
        CMutableTransaction m = f.tx;
        m.vout[1].value -= 1;
        BOOST_CHECK(f.Check(0, m, f.spent) == ScriptError::OK);
        BOOST_CHECK(f.Check(1, m, f.spent) == ScriptError::SCHNORR_SIG);
    }
    // ANYONECANPAY: another input may be added; without it, it may not.
    for (uint8_t h : {uint8_t(SIGHASH_ALL | SIGHASH_ANYONECANPAY), uint8_t(SIGHASH_ALL)}) {
        Fixture f;
        f.SignBoth(h);
        CMutableTransaction m = f.tx;
        m.vin.emplace_back(COutPoint(Hash(0xa3), 0));
        m.vin.back().witness.stack = {std::vector<uint8_t>(64, 0)};
        std::vector<CTxOut> outs = f.spent;
        outs.emplace_back(1'000, Bip86Script(KeyFrom(0x44)));
        BOOST_CHECK(f.Check(0, m, outs) == (h & SIGHASH_ANYONECANPAY ? ScriptError::OK : ScriptError::SCHNORR_SIG));
    }
}

BOOST_AUTO_TEST_CASE(failure_wrong_key)
{
    Fixture f;
    std::string error;
    // The signer refuses a key that does not own the output.
    BOOST_CHECK(!SignTaprootKeyPath(f.tx, 0, f.spent, f.key2, SIGHASH_DEFAULT, &error));
    BOOST_CHECK_EQUAL(error, "key does not match the spent output");
    BOOST_CHECK(f.tx.vin[0].witness.IsNull());
    // A signature by another key is rejected.
    f.SignBoth();
    const CTransaction t(f.tx);
    const PrecomputedTxData data(t, f.spent);
    auto hash = TaprootSignatureHash(t, 0, SIGHASH_DEFAULT, data);
    BOOST_REQUIRE(hash);
    auto sig = SignSchnorr(*TaprootTweakSecret(f.key2), *hash, uint256());
    BOOST_REQUIRE(sig);
    CMutableTransaction m = f.tx;
    m.vin[0].witness.stack = {std::vector<uint8_t>(sig->begin(), sig->end())};
    BOOST_CHECK(f.Check(0, m, f.spent) == ScriptError::SCHNORR_SIG);
    // The untweaked internal key's signature is rejected too (the output key is tweaked).
    auto untweaked = SignSchnorr(f.key1, *hash, uint256());
    m.vin[0].witness.stack = {std::vector<uint8_t>(untweaked->begin(), untweaked->end())};
    BOOST_CHECK(f.Check(0, m, f.spent) == ScriptError::SCHNORR_SIG);
}

BOOST_AUTO_TEST_CASE(failure_bit_flip)
{
    Fixture f;
    f.SignBoth(SIGHASH_ALL);
    for (size_t bit : {0, 7, 200, 256, 300, 511}) {
        CMutableTransaction m = f.tx;
        m.vin[0].witness.stack[0][bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
        BOOST_CHECK(f.Check(0, m, f.spent) == ScriptError::SCHNORR_SIG);
    }
    // Flipping the hash type byte to another valid type changes the message.
    CMutableTransaction m = f.tx;
    m.vin[0].witness.stack[0][64] = SIGHASH_NONE;
    BOOST_CHECK(f.Check(0, m, f.spent) == ScriptError::SCHNORR_SIG);
    // A flip in the transaction (prevout, sequence, lock time) also breaks it.
    m = f.tx;
    m.vin[1].prevout.n ^= 1;
    BOOST_CHECK(f.Check(0, m, f.spent) == ScriptError::SCHNORR_SIG);
    m = f.tx;
    m.vin[0].sequence ^= 1;
    BOOST_CHECK(f.Check(0, m, f.spent) == ScriptError::SCHNORR_SIG);
    m = f.tx;
    m.lock_time ^= 1;
    BOOST_CHECK(f.Check(0, m, f.spent) == ScriptError::SCHNORR_SIG);
}

BOOST_AUTO_TEST_CASE(failure_bad_length)
{
    Fixture f;
    f.SignBoth();
    for (size_t len : {0, 1, 32, 63, 66, 72, 128}) {
        CMutableTransaction m = f.tx;
        std::vector<uint8_t>& sig = m.vin[0].witness.stack[0];
        sig.resize(len, 0x01);
        BOOST_CHECK_MESSAGE(f.Check(0, m, f.spent) == ScriptError::SCHNORR_SIG_SIZE, len);
    }
}

BOOST_AUTO_TEST_CASE(failure_hash_type)
{
    Fixture f;
    f.SignBoth();
    // The 64-byte DEFAULT signature with an explicit 0x00 byte appended is invalid,
    // even though the message would be the same.
    CMutableTransaction m = f.tx;
    m.vin[0].witness.stack[0].push_back(0x00);
    BOOST_CHECK(f.Check(0, m, f.spent) == ScriptError::SCHNORR_SIG_HASHTYPE);
    for (uint8_t bad : {0x04, 0x80, 0x84, 0xff}) {
        m = f.tx;
        m.vin[0].witness.stack[0].push_back(bad);
        BOOST_CHECK(f.Check(0, m, f.spent) == ScriptError::SCHNORR_SIG_HASHTYPE);
    }
    // SIGHASH_SINGLE for an input without a matching output.
    Fixture g;
    g.tx.vout.pop_back();
    std::string error;
    BOOST_CHECK(!SignTaprootKeyPath(g.tx, 1, g.spent, g.key2, SIGHASH_SINGLE, &error));
    BOOST_CHECK_EQUAL(error, "SIGHASH_SINGLE without an output at the input's index");
    BOOST_CHECK(!SignTaprootKeyPath(g.tx, 1, g.spent, g.key2, 0x04, &error));
    BOOST_CHECK_EQUAL(error, "invalid signature hash type");
    g.tx.vin[1].witness.stack = {std::vector<uint8_t>(64, 0x01)};
    g.tx.vin[1].witness.stack[0].push_back(SIGHASH_SINGLE);
    BOOST_CHECK(g.Check(1) == ScriptError::SCHNORR_SIG_HASHTYPE);
}

BOOST_AUTO_TEST_CASE(failure_script_sig_and_witness_shape)
{
    Fixture f;
    f.SignBoth();
    CMutableTransaction m = f.tx;
    m.vin[0].script_sig = {0x00};
    BOOST_CHECK(f.Check(0, m, f.spent) == ScriptError::SCRIPTSIG_NOT_EMPTY);
    // Signing clears a scriptSig.
    std::string error;
    BOOST_REQUIRE(SignTaprootKeyPath(m, 0, f.spent, f.key1, SIGHASH_DEFAULT, &error));
    BOOST_CHECK(f.Check(0, m, f.spent) == ScriptError::OK);

    m = f.tx;
    m.vin[0].witness.stack.clear();
    BOOST_CHECK(f.Check(0, m, f.spent) == ScriptError::WITNESS_STACK_SIZE);
    m = f.tx;
    m.vin[0].witness.stack.push_back({0x50}); // looks like an annex: still refused
    BOOST_CHECK(f.Check(0, m, f.spent) == ScriptError::WITNESS_STACK_SIZE);
}

BOOST_AUTO_TEST_CASE(failure_spending_non_taproot_outputs)
{
    Fixture f;
    f.SignBoth();
    for (const char* spk : {
             "0014751e76e8199196d454941c45d1b3a323f1433bd6",               // P2WPKH
             "76a914751e76e8199196d454941c45d1b3a323f1433bd688ac",         // P2PKH
             "6a044f444131020200",                                         // ODA data
             "6a",                                                         // OP_RETURN
             "51",                                                         // OP_TRUE
             "",                                                           // empty
             "5221000000000000000000000000000000000000000000000000000000000000000000", // v2
         }) {
        std::vector<CTxOut> outs = f.spent;
        outs[0].script_pubkey = FromHex(spk);
        BOOST_CHECK_MESSAGE(f.Check(0, f.tx, outs) == ScriptError::NOT_TAPROOT_OUTPUT, spk);
    }
    // Taproot-shaped but the key is not on the curve: nothing can sign for it.
    std::vector<CTxOut> outs = f.spent;
    outs[0].script_pubkey = FromHex("5120eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34");
    BOOST_CHECK(f.Check(0, f.tx, outs) == ScriptError::SCHNORR_SIG);
    // The signer refuses non-taproot outputs.
    std::string error;
    outs[0].script_pubkey = FromHex("0014751e76e8199196d454941c45d1b3a323f1433bd6");
    BOOST_CHECK(!SignTaprootKeyPath(f.tx, 0, outs, f.key1, SIGHASH_DEFAULT, &error));
    BOOST_CHECK_EQUAL(error, "spent output is not a taproot output");
}

BOOST_AUTO_TEST_CASE(failure_missing_spent_outputs)
{
    Fixture f;
    f.SignBoth();
    const CTransaction t(f.tx);
    const PrecomputedTxData data(t, f.spent);
    ScriptError err;
    BOOST_CHECK(!VerifyInputSpend(t, 2, data, &err));
    BOOST_CHECK(err == ScriptError::SPENT_OUTPUT_MISSING);
    PrecomputedTxData empty;
    BOOST_CHECK(!VerifyInputSpend(t, 0, empty, &err));
    BOOST_CHECK(err == ScriptError::SPENT_OUTPUT_MISSING);
    BOOST_CHECK(!VerifyInputSpend(t, 0, empty, nullptr)); // error pointer optional
    std::string error;
    BOOST_CHECK(!SignTaprootKeyPath(f.tx, 5, f.spent, f.key1, SIGHASH_DEFAULT, &error));
    BOOST_CHECK_EQUAL(error, "input index out of range");
    BOOST_CHECK(!SignTaprootKeyPath(f.tx, 0, {f.spent[0]}, f.key1, SIGHASH_DEFAULT, &error));
    BOOST_CHECK_EQUAL(error, "need one spent output per input");
}

BOOST_AUTO_TEST_CASE(deterministic_with_aux_and_random_without)
{
    Fixture a, b;
    uint256 aux = Hash(0x07);
    std::string error;
    BOOST_REQUIRE(SignTaprootKeyPath(a.tx, 0, a.spent, a.key1, SIGHASH_DEFAULT, &error, &aux));
    BOOST_REQUIRE(SignTaprootKeyPath(b.tx, 0, b.spent, b.key1, SIGHASH_DEFAULT, &error, &aux));
    BOOST_CHECK(a.tx.vin[0].witness.stack == b.tx.vin[0].witness.stack);
    BOOST_REQUIRE(SignTaprootKeyPath(b.tx, 0, b.spent, b.key1, SIGHASH_DEFAULT, &error));
    BOOST_CHECK(a.tx.vin[0].witness.stack != b.tx.vin[0].witness.stack); // fresh aux randomness
    BOOST_CHECK(b.Check(0) == ScriptError::OK);
}

BOOST_AUTO_TEST_CASE(concurrent_verification)
{
    // Many inputs checked from several threads against one shared PrecomputedTxData:
    // every good input passes and every corrupted one fails, whatever the interleaving.
    Fixture f;
    std::vector<CKey> keys;
    f.tx.vin.clear();
    f.spent.clear();
    for (int i = 0; i < 24; ++i) {
        keys.push_back(KeyFrom(static_cast<uint8_t>(0x40 + i)));
        f.tx.vin.emplace_back(COutPoint(Hash(static_cast<uint8_t>(i)), static_cast<uint32_t>(i)));
        f.spent.emplace_back(1'000 + i, Bip86Script(keys.back()));
    }
    std::string error;
    for (unsigned i = 0; i < keys.size(); ++i) {
        BOOST_REQUIRE(SignTaprootKeyPath(f.tx, i, f.spent, keys[i], SIGHASH_DEFAULT, &error));
    }
    for (unsigned i = 0; i < keys.size(); i += 3) f.tx.vin[i].witness.stack[0][5] ^= 0x20;
    const CTransaction t(f.tx);
    const PrecomputedTxData data(t, f.spent);
    std::atomic<int> wrong{0};
    auto worker = [&](unsigned start) {
        for (int round = 0; round < 4; ++round) {
            for (unsigned i = start; i < t.vin.size(); i += 2) {
                ScriptError err;
                bool ok = VerifyInputSpend(t, i, data, &err);
                bool expected = i % 3 != 0;
                if (ok != expected) ++wrong;
            }
        }
    };
    std::thread t1(worker, 0), t2(worker, 1), t3(worker, 0);
    t1.join();
    t2.join();
    t3.join();
    BOOST_CHECK_EQUAL(wrong.load(), 0);
}

BOOST_AUTO_TEST_CASE(error_strings)
{
    std::set<std::string> seen;
    for (ScriptError e : {ScriptError::OK, ScriptError::SPENT_OUTPUT_MISSING, ScriptError::NOT_TAPROOT_OUTPUT,
                          ScriptError::SCRIPTSIG_NOT_EMPTY, ScriptError::WITNESS_STACK_SIZE, ScriptError::SCHNORR_SIG_SIZE,
                          ScriptError::SCHNORR_SIG_HASHTYPE, ScriptError::SCHNORR_SIG}) {
        std::string s = ScriptErrorString(e);
        BOOST_CHECK(!s.empty());
        BOOST_CHECK(seen.insert(s).second);
    }
    BOOST_CHECK_EQUAL(ScriptErrorString(ScriptError::NOT_TAPROOT_OUTPUT),
                      "spent output is not a taproot (witness v1, 32 bytes) output");
}

BOOST_AUTO_TEST_SUITE_END()
