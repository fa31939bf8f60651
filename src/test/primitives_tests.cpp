// Transactions and blocks against real Bitcoin serializations: decode then encode gives the
// same bytes, and the ids are the published ones. Malformed bytes must throw
// SerializationError, never crash.
#include <consensus/block_check.h>
#include <consensus/merkle.h>
#include <crypto/hash.h>
#include <primitives/block.h>
#include <primitives/coin.h>
#include <primitives/transaction.h>
#include <streams.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

#include <map>
#include <sstream>
#include <string>

namespace {

std::vector<uint8_t> Vector(const std::string& name)
{
    static const std::map<std::string, std::string> vectors = [] {
        std::map<std::string, std::string> m;
        std::istringstream in(ReadTestData("primitives_vectors.txt"));
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#') continue;
            std::istringstream fields(line);
            std::string key, hex;
            fields >> key >> hex;
            m[key] = hex;
        }
        return m;
    }();
    const auto it = vectors.find(name);
    if (it == vectors.end()) throw std::runtime_error("no vector " + name);
    return FromHex(it->second);
}

uint256 Hash(const std::string& display_hex)
{
    auto h = uint256::FromHex(display_hex);
    if (!h) throw std::runtime_error("bad hash literal");
    return *h;
}

template <typename T>
void ExpectThrowsOn(const std::vector<uint8_t>& bytes)
{
    T obj;
    BOOST_CHECK_THROW(DeserializeExact(bytes, obj), SerializationError);
}

} // namespace

BOOST_AUTO_TEST_SUITE(primitives_tests)

BOOST_AUTO_TEST_CASE(bitcoin_genesis_block_round_trip)
{
    const std::vector<uint8_t> raw = Vector("bitcoin_genesis_block");
    BOOST_REQUIRE_EQUAL(raw.size(), 285u);
    CBlock block;
    DeserializeExact(raw, block);
    BOOST_CHECK(SerializeToBytes(block) == raw);
    BOOST_CHECK_EQUAL(block.GetHash().GetHex(), "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    BOOST_CHECK_EQUAL(block.version, 1);
    BOOST_CHECK_EQUAL(block.time, 1231006505u);
    BOOST_CHECK_EQUAL(block.bits, 0x1d00ffffu);
    BOOST_CHECK_EQUAL(block.nonce, 2083236893u);
    BOOST_REQUIRE_EQUAL(block.vtx.size(), 1u);
    const CTransaction& coinbase = *block.vtx[0];
    BOOST_CHECK(coinbase.IsCoinBase());
    BOOST_CHECK(!coinbase.HasWitness());
    BOOST_CHECK_EQUAL(coinbase.GetTxid().GetHex(), "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
    BOOST_CHECK(coinbase.GetWtxid() == coinbase.GetTxid());
    BOOST_CHECK_EQUAL(coinbase.GetValueOut(), 50 * 100'000'000LL);
    BOOST_CHECK(block.hash_merkle_root == coinbase.GetTxid());
    BOOST_CHECK(BlockMerkleRoot(block) == block.hash_merkle_root);
    // Header alone: the first 80 bytes, same hash.
    CBlockHeader header;
    DeserializeExact(std::vector<uint8_t>(raw.begin(), raw.begin() + 80), header);
    BOOST_CHECK(header.GetHash() == block.GetHash());
    BOOST_CHECK_EQUAL(GetSerializeSize(header), CBlockHeader::SIZE);
    // No witness anywhere: weight is 4 x size.
    BOOST_CHECK_EQUAL(GetBlockWeight(block), 4 * 285);
}

BOOST_AUTO_TEST_CASE(bitcoin_legacy_transaction_round_trip)
{
    const std::vector<uint8_t> raw = Vector("bitcoin_block170_tx");
    BOOST_REQUIRE_EQUAL(raw.size(), 275u);
    CMutableTransaction mtx;
    DeserializeExact(raw, mtx);
    BOOST_CHECK(SerializeToBytes(mtx) == raw);
    const CTransaction tx(mtx);
    BOOST_CHECK(SerializeToBytes(tx) == raw);
    BOOST_CHECK_EQUAL(tx.GetTxid().GetHex(), "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16");
    BOOST_CHECK(tx.GetWtxid() == tx.GetTxid()); // no witness: the two ids coincide
    BOOST_CHECK(!tx.IsCoinBase());
    BOOST_REQUIRE_EQUAL(tx.vin.size(), 1u);
    BOOST_CHECK_EQUAL(tx.vin[0].prevout.ToString(), "0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9:0");
    BOOST_CHECK_EQUAL(tx.vin[0].sequence, 0xffffffffu);
    BOOST_REQUIRE_EQUAL(tx.vout.size(), 2u);
    BOOST_CHECK_EQUAL(tx.vout[0].value, 10 * 100'000'000LL);
    BOOST_CHECK_EQUAL(tx.vout[1].value, 40 * 100'000'000LL);
    BOOST_CHECK_EQUAL(tx.GetStrippedSize(), tx.GetTotalSize());
    BOOST_CHECK_EQUAL(GetTransactionWeight(tx), 4 * 275);
}

BOOST_AUTO_TEST_CASE(decode_raw_transaction_takes_input_less_transactions)
{
    // The witness form, as before.
    const std::vector<uint8_t> segwit = Vector("bip341_signed_tx");
    const auto decoded = DecodeRawTransaction(segwit);
    BOOST_REQUIRE(decoded);
    BOOST_CHECK(SerializeToBytes(*decoded) == segwit);

    // No inputs, two outputs: the 0x00 input count followed by 0x02 reads as a witness marker
    // with flags 2 ("unknown optional data") in the witness form; the form without witness
    // gives the transaction createrawtransaction meant.
    CMutableTransaction mtx;
    mtx.version = 2;
    mtx.vout.push_back(CTxOut{10'000, ScriptBytes{0x51}});
    mtx.vout.push_back(CTxOut{0, ScriptBytes{0x6a}});
    mtx.lock_time = 7;
    const std::vector<uint8_t> raw = SerializeToBytes(mtx);
    CMutableTransaction witness_form;
    BOOST_CHECK_THROW(DeserializeExact(raw, witness_form), std::exception);
    const auto input_less = DecodeRawTransaction(raw);
    BOOST_REQUIRE(input_less);
    BOOST_CHECK(input_less->vin.empty());
    BOOST_REQUIRE_EQUAL(input_less->vout.size(), 2U);
    BOOST_CHECK_EQUAL(input_less->vout[0].value, 10'000);
    BOOST_CHECK_EQUAL(input_less->lock_time, 7U);
    BOOST_CHECK(SerializeToBytes(*input_less) == raw);

    // Garbage, truncation and trailing bytes stay errors.
    BOOST_CHECK(!DecodeRawTransaction({0x01, 0x02}));
    BOOST_CHECK(!DecodeRawTransaction(std::vector<uint8_t>(raw.begin(), raw.end() - 1)));
    std::vector<uint8_t> trailing = raw;
    trailing.push_back(0);
    BOOST_CHECK(!DecodeRawTransaction(trailing));
}

BOOST_AUTO_TEST_CASE(bip341_segwit_transaction_round_trip)
{
    const std::vector<uint8_t> raw = Vector("bip341_signed_tx");
    BOOST_REQUIRE_EQUAL(raw.size(), 1139u);
    CMutableTransaction mtx;
    DeserializeExact(raw, mtx);
    BOOST_CHECK(SerializeToBytes(mtx) == raw);
    const CTransaction tx(mtx);
    BOOST_CHECK(SerializeToBytes(tx) == raw);
    BOOST_CHECK_EQUAL(tx.version, 2);
    BOOST_CHECK_EQUAL(tx.lock_time, 0x1dcd6500u);
    BOOST_REQUIRE_EQUAL(tx.vin.size(), 9u);
    BOOST_REQUIRE_EQUAL(tx.vout.size(), 2u);
    BOOST_CHECK(tx.HasWitness());
    // Key-path inputs: one 64/65-byte signature; input 2 (P2PKH) has none, input 5 (P2WPKH) two.
    BOOST_CHECK_EQUAL(tx.vin[0].witness.stack.size(), 1u);
    BOOST_CHECK_EQUAL(tx.vin[0].witness.stack[0].size(), 65u);
    BOOST_CHECK_EQUAL(tx.vin[4].witness.stack[0].size(), 64u);
    BOOST_CHECK(tx.vin[2].witness.IsNull());
    BOOST_CHECK_EQUAL(tx.vin[2].script_sig.size(), 107u);
    BOOST_CHECK_EQUAL(tx.vin[5].witness.stack.size(), 2u);
    BOOST_CHECK_EQUAL(tx.vout[0].value, 1'000'000'000);
    BOOST_CHECK_EQUAL(tx.GetStrippedSize(), 561u);
    BOOST_CHECK_EQUAL(tx.GetTotalSize(), 1139u);
    BOOST_CHECK_EQUAL(GetTransactionWeight(tx), 561 * 3 + 1139);
    BOOST_CHECK(tx.GetTxid() == Hash("fea03dc5c362e2ebd71f90960803aaa2cdbbc6cd536135f49980afedc19e3552"));
    BOOST_CHECK(tx.GetWtxid() == Hash("4a5d2b15622b0c8e857527a6a1fc3c614cf7991aad19548cae678aa8306becf7"));
    // txid = SHA256d of the form without witness, wtxid = SHA256d of the full bytes.
    BOOST_CHECK(tx.GetTxid() == Hash256(SerializeToBytes(TxNoWitness{tx})));
    BOOST_CHECK(tx.GetWtxid() == Hash256(raw));
    BOOST_CHECK(mtx.GetTxid() == tx.GetTxid());
    BOOST_CHECK_EQUAL(SerializeToBytes(TxNoWitness{tx}).size(), 561u);

    // The stripped form parses as a witness-less transaction with the same txid.
    CMutableTransaction stripped;
    DeserializeExact(SerializeToBytes(TxNoWitness{tx}), stripped);
    BOOST_CHECK(!stripped.HasWitness());
    BOOST_CHECK(CTransaction(stripped).GetTxid() == tx.GetTxid());
    BOOST_CHECK(CTransaction(stripped).GetWtxid() == tx.GetTxid());
}

BOOST_AUTO_TEST_CASE(malformed_transactions_throw)
{
    const std::vector<uint8_t> raw = Vector("bip341_signed_tx");
    // Every truncation of a valid transaction is an error, never a crash.
    for (size_t len = 0; len < raw.size(); ++len) {
        ExpectThrowsOn<CMutableTransaction>(std::vector<uint8_t>(raw.begin(), raw.begin() + len));
    }
    // Trailing garbage.
    std::vector<uint8_t> trailing = raw;
    trailing.push_back(0x00);
    ExpectThrowsOn<CMutableTransaction>(trailing);

    // Superfluous witness flag: marker/flag present but every witness stack empty.
    const std::vector<uint8_t> superfluous = FromHex(
        "02000000" "0001"
        "01" "1111111111111111111111111111111111111111111111111111111111111111" "00000000" "00" "ffffffff"
        "01" "e803000000000000" "00"
        "00"          // empty witness stack for the one input
        "00000000");
    ExpectThrowsOn<CMutableTransaction>(superfluous);
    // The same without marker/flag is fine.
    CMutableTransaction plain;
    DeserializeExact(FromHex("02000000"
                             "01" "1111111111111111111111111111111111111111111111111111111111111111" "00000000" "00" "ffffffff"
                             "01" "e803000000000000" "00"
                             "00000000"),
                     plain);
    BOOST_CHECK_EQUAL(plain.vin.size(), 1u);
    // Unknown optional-data flag (0x02).
    ExpectThrowsOn<CMutableTransaction>(FromHex(
        "02000000" "0002"
        "01" "1111111111111111111111111111111111111111111111111111111111111111" "00000000" "00" "ffffffff"
        "01" "e803000000000000" "00" "00000000"));
    // Oversize CompactSize input count (2^32: above MAX_SERIALIZED_SIZE) and a lying count.
    ExpectThrowsOn<CMutableTransaction>(FromHex("02000000" "ff0000000001000000"));
    ExpectThrowsOn<CMutableTransaction>(FromHex("02000000" "fe00000001"));   // 16M inputs, no data
    ExpectThrowsOn<CMutableTransaction>(FromHex("02000000" "fdfd00"));       // non-canonical 253
    // Script length larger than the remaining bytes.
    ExpectThrowsOn<CMutableTransaction>(FromHex(
        "02000000" "01" "1111111111111111111111111111111111111111111111111111111111111111" "00000000"
        "fe00000100"));
}

BOOST_AUTO_TEST_CASE(malformed_blocks_throw)
{
    const std::vector<uint8_t> raw = Vector("bitcoin_genesis_block");
    for (size_t len = 0; len < raw.size(); ++len) {
        ExpectThrowsOn<CBlock>(std::vector<uint8_t>(raw.begin(), raw.begin() + len));
    }
    std::vector<uint8_t> trailing = raw;
    trailing.push_back(0x42);
    ExpectThrowsOn<CBlock>(trailing);
    // A header claiming 2^25 + 1 transactions (above MAX_SERIALIZED_SIZE).
    std::vector<uint8_t> huge_count(raw.begin(), raw.begin() + 80);
    for (uint8_t b : FromHex("fe01000002")) huge_count.push_back(b);
    ExpectThrowsOn<CBlock>(huge_count);
}

BOOST_AUTO_TEST_CASE(mutated_bytes_never_crash)
{
    // Flip, insert and delete bytes of real encodings with a fixed-seed generator: each
    // result must either parse (and then re-serialize to itself) or throw SerializationError.
    uint64_t state = 0x0da0da0da0da0da1ULL;
    auto next = [&state] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    int parsed = 0, rejected = 0;
    for (const char* name : {"bip341_signed_tx", "bitcoin_block170_tx", "bitcoin_genesis_block"}) {
        const std::vector<uint8_t> raw = Vector(name);
        for (int round = 0; round < 3000; ++round) {
            std::vector<uint8_t> bytes = raw;
            const int edits = 1 + static_cast<int>(next() % 3);
            for (int e = 0; e < edits && !bytes.empty(); ++e) {
                const size_t pos = next() % bytes.size();
                switch (next() % 3) {
                case 0: bytes[pos] = static_cast<uint8_t>(next()); break;
                case 1: bytes.insert(bytes.begin() + pos, static_cast<uint8_t>(next())); break;
                default: bytes.erase(bytes.begin() + pos); break;
                }
            }
            try {
                if (std::string(name) == "bitcoin_genesis_block") {
                    CBlock block;
                    DeserializeExact(bytes, block);
                    BOOST_CHECK(SerializeToBytes(block) == bytes);
                } else {
                    CMutableTransaction tx;
                    DeserializeExact(bytes, tx);
                    BOOST_CHECK(SerializeToBytes(tx) == bytes);
                }
                ++parsed;
            } catch (const SerializationError&) {
                ++rejected;
            }
        }
    }
    // Both outcomes occur (single-byte edits inside scripts or amounts still parse).
    BOOST_CHECK_GT(parsed, 0);
    BOOST_CHECK_GT(rejected, 0);
}

BOOST_AUTO_TEST_CASE(outpoint_and_coin)
{
    COutPoint null;
    BOOST_CHECK(null.IsNull());
    const COutPoint p(Hash("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"), 0);
    BOOST_CHECK(!p.IsNull());
    BOOST_CHECK_EQUAL(p.ToString(), "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b:0");
    BOOST_CHECK_EQUAL(SerializeToBytes(p).size(), 36u);
    COutPoint back;
    DeserializeExact(SerializeToBytes(p), back);
    BOOST_CHECK(back == p);

    const Coin coin(CTxOut(5000, ScriptBytes{0x51, 0x20}), 77, true);
    Coin coin_back;
    DeserializeExact(SerializeToBytes(coin), coin_back);
    BOOST_CHECK(coin_back == coin);
    BOOST_CHECK(!coin.IsSpent());
    BOOST_CHECK(Coin().IsSpent());
}

BOOST_AUTO_TEST_SUITE_END()
