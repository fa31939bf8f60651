// Unit tests for the ZeroMQ notification encoding (zmq/zmqmessages), the -zmqpub* option
// parsing and the notifier's bind errors. The wire behaviour is in interface_zmq.py.
#include <hex.h>
#include <primitives/block.h>
#include <primitives/transaction.h>
#include <streams.h>
#include <uint256.h>
#include <util/args.h>
#include <zmq/init.h>
#include <zmq/zmqmessages.h>
#include <zmq/zmqnotifier.h>

#include <boost/test/unit_test.hpp>
#include <zmq.h>

#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

namespace {
const std::string HASH_HEX = "00000000000000000001a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7";

CTransactionRef WitnessTx()
{
    CMutableTransaction mtx;
    CTxIn in(COutPoint(*uint256::FromHex(HASH_HEX), 1));
    in.witness.stack.push_back({0xaa, 0xbb});
    mtx.vin.push_back(in);
    mtx.vout.emplace_back(5000, ScriptBytes{0x51});
    return MakeTransactionRef(std::move(mtx));
}

bool ParseZmqArgs(ArgsManager& args, std::vector<const char*> argv, std::string& error)
{
    MakeZMQService().add_args(args);
    argv.insert(argv.begin(), "odad");
    return args.ParseParameters(static_cast<int>(argv.size()), argv.data(), error);
}
} // namespace

BOOST_AUTO_TEST_SUITE(zmq_tests)

BOOST_AUTO_TEST_CASE(message_frames)
{
    const auto frames = zmqmsg::BuildMessage("hashtx", {1, 2, 3}, 0x01020304);
    BOOST_REQUIRE_EQUAL(frames.size(), 3U);
    BOOST_CHECK_EQUAL(std::string(frames[0].begin(), frames[0].end()), "hashtx");
    BOOST_CHECK(frames[1] == (zmqmsg::Frame{1, 2, 3}));
    BOOST_CHECK(frames[2] == (zmqmsg::Frame{0x04, 0x03, 0x02, 0x01})); // little-endian
    BOOST_CHECK(zmqmsg::BuildMessage("x", {}, 0)[2] == (zmqmsg::Frame{0, 0, 0, 0}));
    BOOST_CHECK(zmqmsg::BuildMessage("x", {}, 0xffffffff)[2] == (zmqmsg::Frame{0xff, 0xff, 0xff, 0xff}));
}

BOOST_AUTO_TEST_CASE(hash_body_is_display_order)
{
    const uint256 hash = *uint256::FromHex(HASH_HEX);
    const zmqmsg::Frame body = zmqmsg::HashBody(hash);
    BOOST_REQUIRE_EQUAL(body.size(), 32U);
    // The subscriber's hex of the body is what RPC prints.
    BOOST_CHECK_EQUAL(HexStr(body), HASH_HEX);
    BOOST_CHECK_EQUAL(HexStr(body), hash.GetHex());
    BOOST_CHECK_EQUAL(body.front(), 0x00);
    BOOST_CHECK_EQUAL(body.back(), 0xf7);
}

BOOST_AUTO_TEST_CASE(sequence_body)
{
    const uint256 hash = *uint256::FromHex(HASH_HEX);
    const zmqmsg::Frame c = zmqmsg::SequenceBody(hash, zmqmsg::SequenceLabel::BLOCK_CONNECTED, std::nullopt);
    BOOST_REQUIRE_EQUAL(c.size(), 33U);
    BOOST_CHECK_EQUAL(HexStr(std::vector<uint8_t>(c.begin(), c.begin() + 32)), HASH_HEX);
    BOOST_CHECK_EQUAL(c[32], 'C');
    BOOST_CHECK_EQUAL(zmqmsg::SequenceBody(hash, zmqmsg::SequenceLabel::BLOCK_DISCONNECTED, std::nullopt)[32], 'D');

    const zmqmsg::Frame a = zmqmsg::SequenceBody(hash, zmqmsg::SequenceLabel::MEMPOOL_ADDED, 0x0102030405060708ULL);
    BOOST_REQUIRE_EQUAL(a.size(), 41U);
    BOOST_CHECK_EQUAL(a[32], 'A');
    BOOST_CHECK(zmqmsg::Frame(a.begin() + 33, a.end()) == (zmqmsg::Frame{8, 7, 6, 5, 4, 3, 2, 1}));
    const zmqmsg::Frame r = zmqmsg::SequenceBody(hash, zmqmsg::SequenceLabel::MEMPOOL_REMOVED, 0);
    BOOST_REQUIRE_EQUAL(r.size(), 41U);
    BOOST_CHECK_EQUAL(r[32], 'R');
}

BOOST_AUTO_TEST_CASE(inference_and_model_bodies)
{
    const uint256 txid = *uint256::FromHex(HASH_HEX);
    uint256 model;
    model.begin()[0] = 0x11; // internal byte 0 is the last displayed byte
    const zmqmsg::Frame inf = zmqmsg::InferenceBody(txid, model, uint8_t{1}, {7, -9});
    BOOST_CHECK_EQUAL(HexStr(inf), HASH_HEX + std::string(62, '0') + "11" + "01" + "02000000" + "07000000" + "f7ffffff");
    const zmqmsg::Frame none = zmqmsg::InferenceBody(txid, model, std::nullopt, {});
    BOOST_CHECK_EQUAL(HexStr(none).substr(128), "ff00000000");
    uint256 root;
    root.begin()[0] = 0x22; // storage order: printed first
    const zmqmsg::Frame m = zmqmsg::ModelBody(model, root, -2, 3);
    BOOST_CHECK_EQUAL(HexStr(m), std::string(62, '0') + "11" + "22" + std::string(62, '0') + "feffffffffffffff" + "03");
}

BOOST_AUTO_TEST_CASE(raw_bodies_include_witness)
{
    const CTransactionRef tx = WitnessTx();
    const zmqmsg::Frame raw = zmqmsg::RawTxBody(*tx);
    BOOST_CHECK(raw == SerializeToBytes(*tx));
    BOOST_CHECK_EQUAL(raw.size(), tx->GetTotalSize());
    BOOST_CHECK_GT(raw.size(), tx->GetStrippedSize());
    BOOST_REQUIRE_GT(raw.size(), 6U);
    BOOST_CHECK_EQUAL(raw[4], 0x00); // BIP 144 marker
    BOOST_CHECK_EQUAL(raw[5], 0x01); // and flag

    CBlock block;
    block.bits = 0x207fffff;
    block.vtx.push_back(tx);
    const zmqmsg::Frame raw_block = zmqmsg::RawBlockBody(block);
    BOOST_CHECK(raw_block == SerializeToBytes(block));
    BOOST_CHECK_EQUAL(raw_block.size(), CBlockHeader::SIZE + 1 + raw.size());
}

BOOST_AUTO_TEST_CASE(options)
{
    {
        ArgsManager args;
        std::string error;
        BOOST_REQUIRE(ParseZmqArgs(args, {"-zmqpubhashblock=tcp://127.0.0.1:1", "-zmqpubrawtx=tcp://127.0.0.1:2",
                                          "-zmqpubrawtxhwm=5", "-zmqpubsequence=ipc:///tmp/x"}, error));
        std::vector<ZmqPublisherConfig> configs;
        BOOST_REQUIRE(ReadZmqOptions(args, configs, error));
        BOOST_REQUIRE_EQUAL(configs.size(), 3U);
        BOOST_CHECK_EQUAL(configs[0].type, "pubhashblock");
        BOOST_CHECK_EQUAL(configs[0].address, "tcp://127.0.0.1:1");
        BOOST_CHECK_EQUAL(configs[0].hwm, DEFAULT_ZMQ_SNDHWM);
        BOOST_CHECK_EQUAL(configs[1].type, "pubrawtx");
        BOOST_CHECK_EQUAL(configs[1].hwm, 5);
        BOOST_CHECK_EQUAL(configs[2].type, "pubsequence");
    }
    for (const char* bad : {"-zmqpubhashtxhwm=-1", "-zmqpubhashtxhwm=lots"}) {
        ArgsManager args;
        std::string error;
        BOOST_REQUIRE(ParseZmqArgs(args, {"-zmqpubhashtx=tcp://127.0.0.1:1", bad}, error));
        std::vector<ZmqPublisherConfig> configs;
        BOOST_CHECK(!ReadZmqOptions(args, configs, error));
        BOOST_CHECK_MESSAGE(error.find("-zmqpubhashtxhwm") != std::string::npos, error);
    }
    {
        ArgsManager args;
        std::string error;
        BOOST_REQUIRE(ParseZmqArgs(args, {}, error));
        std::vector<ZmqPublisherConfig> configs;
        BOOST_CHECK(ReadZmqOptions(args, configs, error));
        BOOST_CHECK(configs.empty());
    }
}

BOOST_AUTO_TEST_CASE(bind_and_share_sockets)
{
    std::string error;
    // Two topics on one (ephemeral) address share a socket; getzmqnotifications lists both.
    auto ok = ZmqNotifier::Create({{"pubhashblock", "tcp://127.0.0.1:*", 1000}, {"pubhashtx", "tcp://127.0.0.1:*", 7}},
                                  error);
    BOOST_REQUIRE_MESSAGE(ok, error);
    const auto active = ok->GetActiveNotifications();
    BOOST_REQUIRE_EQUAL(active.size(), 2U);
    BOOST_CHECK_EQUAL(active[1].type, "pubhashtx");
    BOOST_CHECK_EQUAL(active[1].hwm, 7);

    error.clear();
    BOOST_CHECK(!ZmqNotifier::Create({{"pubrawblock", "nonsense://here", 1000}}, error));
    BOOST_CHECK_MESSAGE(error.find("Unable to bind ZeroMQ socket for -zmqpubrawblock to address nonsense://here") !=
                            std::string::npos, error);
}

namespace {
/** One multipart message from sub (frames), or empty after timeout_ms. */
std::vector<std::vector<uint8_t>> Recv(void* sub, int timeout_ms)
{
    zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
    std::vector<std::vector<uint8_t>> frames;
    int more = 1;
    while (more) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, sub, 0) < 0) {
            zmq_msg_close(&msg);
            return {};
        }
        const uint8_t* p = static_cast<const uint8_t*>(zmq_msg_data(&msg));
        frames.emplace_back(p, p + zmq_msg_size(&msg));
        more = zmq_msg_more(&msg);
        zmq_msg_close(&msg);
    }
    return frames;
}
} // namespace

BOOST_AUTO_TEST_CASE(mempool_events_on_the_wire)
{
    char dir_template[] = "/tmp/oda_zmq_test_XXXXXX";
    BOOST_REQUIRE(mkdtemp(dir_template));
    const std::string address = std::string("ipc://") + dir_template + "/seq";
    std::string error;
    auto notifier = ZmqNotifier::Create({{"pubsequence", address, 1000}, {"pubhashtx", address, 1000}}, error);
    BOOST_REQUIRE_MESSAGE(notifier, error);

    void* ctx = zmq_ctx_new();
    void* sub = zmq_socket(ctx, ZMQ_SUB);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "sequence", 8);
    BOOST_REQUIRE_EQUAL(zmq_connect(sub, address.c_str()), 0);
    const CTransactionRef tx = WitnessTx();
    const std::string txid = tx->GetTxid().GetHex();

    // A SUB socket misses what precedes its subscription: publish until one arrives.
    std::vector<std::vector<uint8_t>> m;
    for (int i = 0; i < 100 && m.empty(); ++i) {
        notifier->TransactionAddedToMempool(tx, 7);
        m = Recv(sub, 100);
    }
    BOOST_REQUIRE_EQUAL(m.size(), 3U);
    BOOST_CHECK_EQUAL(std::string(m[0].begin(), m[0].end()), "sequence");
    BOOST_CHECK(m[1] == zmqmsg::SequenceBody(tx->GetTxid(), zmqmsg::SequenceLabel::MEMPOOL_ADDED, 7));
    const uint32_t seq = m[2][0] | m[2][1] << 8 | m[2][2] << 16 | uint32_t(m[2][3]) << 24;
    // Drain the additions published while the subscription was on its way.
    while (!Recv(sub, 200).empty()) {}

    // Removal because a block confirmed it: nothing; any other reason: 'R' with the pool's number.
    notifier->TransactionRemovedFromMempool(tx, MemPoolRemovalReason::BLOCK, 8);
    notifier->TransactionRemovedFromMempool(tx, MemPoolRemovalReason::EXPIRY, 9);
    m = Recv(sub, 10000);
    BOOST_REQUIRE_EQUAL(m.size(), 3U);
    BOOST_CHECK_EQUAL(HexStr(m[1]), txid + "52" /* 'R' */ + "0900000000000000");
    const uint32_t seq2 = m[2][0] | m[2][1] << 8 | m[2][2] << 16 | uint32_t(m[2][3]) << 24;
    BOOST_CHECK_GT(seq2, seq); // the topic's counter moved on (the drained additions in between)

    zmq_close(sub);
    zmq_ctx_term(ctx);
    notifier.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_template, ec);
}

BOOST_AUTO_TEST_SUITE_END()
