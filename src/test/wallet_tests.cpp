// CWallet without a chain: key setup on BIP 86 paths, persistence across reload,
// encryption (locked signing refused, wrong passphrase), descriptor import, tracking of a
// block's transactions and a disconnect.
#include <interfaces/chain.h>
#include <primitives/block.h>
#include <script/address.h>
#include <wallet/wallet.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <unistd.h>

namespace {
struct TempWalletDir {
    std::filesystem::path path;
    TempWalletDir()
    {
        path = std::filesystem::temp_directory_path() / ("oda_wallet_test_" + std::to_string(::getpid()) + "_" + std::to_string(reinterpret_cast<uintptr_t>(this)));
        std::filesystem::create_directories(path);
    }
    ~TempWalletDir() { std::filesystem::remove_all(path); }
    std::string File() const { return (path / "wallet.dat").string(); }
};
} // namespace

BOOST_AUTO_TEST_SUITE(wallet_tests)

BOOST_AUTO_TEST_CASE(new_wallet_keys_and_reload)
{
    TempWalletDir dir;
    CWallet::Options o;
    o.keypool = 5;
    std::string addr, change;
    std::vector<std::pair<std::string, DescriptorRecord>> descs;
    {
        auto w = CWallet::Create("t", dir.File(), false, "roda", o);
        addr = w->GetNewAddress(false);
        change = w->GetNewAddress(true);
        BOOST_CHECK(addr.rfind("roda1p", 0) == 0);
        auto spk = DecodeDestination(addr, "roda");
        BOOST_REQUIRE(spk);
        BOOST_CHECK(w->IsMine(*spk));
        auto info = w->GetAddressInfo(*spk);
        BOOST_CHECK(info.ismine && !info.ischange);
        BOOST_CHECK_EQUAL(info.hdkeypath, "m/86'/1'/0'/0/0");
        auto cinfo = w->GetAddressInfo(*DecodeDestination(change, "roda"));
        BOOST_CHECK(cinfo.ischange);
        BOOST_CHECK_EQUAL(cinfo.hdkeypath, "m/86'/1'/0'/1/0");
        // Lookahead: index 0 used, so scripts 0..5 are watched; a script at index 5 is mine.
        descs = w->ListDescriptors(true);
        BOOST_REQUIRE_EQUAL(descs.size(), 2U);
        std::string err;
        auto d = Descriptor::Parse(descs[0].second.internal ? descs[1].first : descs[0].first, &err, true);
        BOOST_REQUIRE_MESSAGE(d, err);
        BOOST_CHECK(w->IsMine(*d->ScriptAt(5)));
        BOOST_CHECK(!w->IsMine(*d->ScriptAt(6)));
        BOOST_CHECK(d->HasPrivateKeys());
    }
    // Reload: the same descriptors, and the next address continues the sequence.
    auto w = CWallet::Load("t", dir.File(), false, "roda", 5);
    BOOST_REQUIRE_EQUAL(w->ListDescriptors(true).size(), descs.size());
    BOOST_CHECK_EQUAL(w->ListDescriptors(true)[0].first, descs[0].first);
    const std::string next = w->GetNewAddress(false);
    BOOST_CHECK(next != addr);
    BOOST_CHECK_EQUAL(w->GetAddressInfo(*DecodeDestination(next, "roda")).hdkeypath, "m/86'/1'/0'/0/1");
    // Two wallets never share a seed.
    TempWalletDir dir2;
    auto other = CWallet::Create("u", dir2.File(), false, "roda", o);
    BOOST_CHECK(!other->IsMine(*DecodeDestination(addr, "roda")));
}

BOOST_AUTO_TEST_CASE(block_tracking_and_disconnect)
{
    TempWalletDir dir;
    CWallet::Options o;
    o.keypool = 3;
    auto w = CWallet::Create("t", dir.File(), false, "roda", o);
    const ScriptBytes spk = *DecodeDestination(w->GetNewAddress(false), "roda");

    CMutableTransaction pay;
    pay.vin.emplace_back(COutPoint{uint256::FromHex(std::string(64, '1')).value(), 0});
    pay.vout.push_back(CTxOut{7 * COIN, spk});
    auto block = std::make_shared<CBlock>();
    block->vtx.push_back(MakeTransactionRef(std::move(pay)));

    interfaces::BlockInfo index; // where the block is, as the chain reports it
    index.hash = uint256::FromHex(std::string(64, 'a')).value();
    index.height = 5;
    w->BlockConnected(block, index);
    const uint256 txid = block->vtx[0]->GetTxid();
    auto wtx = w->GetTx(txid);
    BOOST_REQUIRE(wtx);
    BOOST_CHECK(wtx->IsConfirmed());
    BOOST_CHECK_EQUAL(wtx->block_height, 5);
    BOOST_CHECK_EQUAL(w->GetCredit(*wtx->tx), 7 * COIN);
    BOOST_CHECK(!w->IsFromMe(*wtx->tx));

    w->BlockDisconnected(block, index);
    wtx = w->GetTx(txid);
    BOOST_REQUIRE(wtx);
    BOOST_CHECK(!wtx->IsConfirmed());
    // Unconfirmed and not from us: pending, not trusted.
    const WalletBalance b = w->GetBalance();
    BOOST_CHECK_EQUAL(b.trusted, 0);
    BOOST_CHECK_EQUAL(b.untrusted_pending, 7 * COIN);

    // A transaction unrelated to the wallet is ignored.
    CMutableTransaction other;
    other.vin.emplace_back(COutPoint{uint256::FromHex(std::string(64, '2')).value(), 0});
    other.vout.push_back(CTxOut{COIN, ScriptBytes(34, 0x51)});
    auto block2 = std::make_shared<CBlock>();
    block2->vtx.push_back(MakeTransactionRef(std::move(other)));
    w->BlockConnected(block2, index);
    BOOST_CHECK(!w->GetTx(block2->vtx[0]->GetTxid()));
}

BOOST_AUTO_TEST_CASE(encryption_locks_private_keys)
{
    TempWalletDir dir;
    CWallet::Options o;
    o.keypool = 2;
    auto w = CWallet::Create("t", dir.File(), false, "roda", o);
    const auto plain = w->ListDescriptors(true);
    w->EncryptWallet("pw");
    BOOST_CHECK(w->IsCrypted());
    BOOST_CHECK(w->IsLocked());
    try {
        w->ListDescriptors(true);
        BOOST_FAIL("listing private descriptors while locked must fail");
    } catch (const WalletError& e) {
        BOOST_CHECK_EQUAL(e.code, -13);
        BOOST_CHECK_EQUAL(std::string(e.what()), "Error: Please enter the wallet passphrase with walletpassphrase first.");
    }
    BOOST_CHECK(!w->GetNewAddress(false).empty()); // public derivation still works
    try {
        w->Unlock("wrong", 100);
        BOOST_FAIL("wrong passphrase accepted");
    } catch (const WalletError& e) {
        BOOST_CHECK_EQUAL(e.code, -14);
    }
    w->Unlock("pw", 100);
    BOOST_CHECK(!w->IsLocked());
    BOOST_REQUIRE_EQUAL(w->ListDescriptors(true).size(), plain.size());
    BOOST_CHECK_EQUAL(w->ListDescriptors(true)[0].first, plain[0].first);
    w->Lock();
    BOOST_CHECK(w->IsLocked());
    w->ChangePassphrase("pw", "pw2");
    w.reset();
    // Reloaded: still encrypted and locked; the new passphrase unlocks.
    auto again = CWallet::Load("t", dir.File(), false, "roda", 2);
    BOOST_CHECK(again->IsLocked());
    again->Unlock("pw2", 100);
    BOOST_CHECK_EQUAL(again->ListDescriptors(true)[0].first, plain[0].first);
}

BOOST_AUTO_TEST_CASE(import_watch_only)
{
    TempWalletDir dir;
    CWallet::Options o;
    o.disable_private_keys = true;
    o.blank = true;
    o.keypool = 4;
    auto w = CWallet::Create("watch", dir.File(), false, "bc", o);
    BOOST_CHECK(w->ListDescriptors(false).empty());
    // BIP 86 account 0 of "abandon ... about", receive chain.
    const std::string desc = AddChecksum("tr([73c5da0a/86'/0'/0']xpub6BgBgsespWvERF3LHQu6CnqdvfEvtMcQjYrcRzx53QJjSxarj2afYWcLteoGVky7D3UKDP9QyrLprQ3VCECoY49yfdDEHGCtMMj92pReUsQ/0/*)");
    w->ImportDescriptor(desc, std::numeric_limits<int64_t>::max(), true, false, std::nullopt, std::nullopt);
    BOOST_CHECK_EQUAL(w->GetNewAddress(false), "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr");
    BOOST_CHECK_EQUAL(w->GetNewAddress(false), "bc1p4qhjn9zdvkux4e44uhx8tc55attvtyu358kutcqkudyccelu0was9fqzwh");
    try {
        w->ImportDescriptor("tr(" + std::string(64, '1') + ")#aaaaaaaa", 0, false, false, std::nullopt, std::nullopt);
        BOOST_FAIL("bad checksum accepted");
    } catch (const WalletError& e) {
        BOOST_CHECK_EQUAL(e.code, -8);
    }
}

BOOST_AUTO_TEST_SUITE_END()
