// Fuzz targets for the wallet's text inputs (importdescriptors/deriveaddresses arguments,
// extended keys, HD paths, base58): src/wallet/descriptor.h, bip32.h, base58.h.
#include <primitives/transaction.h>
#include <script/script.h>
#include <streams.h>
#include <test/fuzz/fuzz.h>
#include <wallet/base58.h>
#include <wallet/bip32.h>
#include <wallet/descriptor.h>
#include <wallet/ownership.h>

#include <string>
#include <vector>

using oda::fuzz::Assert;

namespace {

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::vector<std::vector<uint8_t>> DescriptorSeeds()
{
    std::vector<uint8_t> seed(32);
    for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(i * 7 + 1);
    const ExtKey master = *ExtKey::FromSeed(seed);
    const std::vector<uint32_t> account_path{86 | BIP32_HARDENED, 1 | BIP32_HARDENED, 0 | BIP32_HARDENED};
    const ExtKey account = *master.DerivePath(account_path);
    const auto fp = master.Neuter().Fingerprint();
    const std::string origin = "[" + std::string(1, "0123456789abcdef"[fp[0] >> 4]) + std::string(1, "0123456789abcdef"[fp[0] & 15]) +
                               "00ff00/86'/1h/0']";
    return {
        Bytes(AddChecksum("tr(" + origin + account.Neuter().ToString(false) + "/0/*)")),
        Bytes(AddChecksum("tr(" + origin + account.ToString(false) + "/1/*)")),
        Bytes("tr(" + master.ToString(true) + "/86'/0'/0'/0/5)"),
        Bytes(AddChecksum("tr(" + std::string(64, 'a') + ")")),
        Bytes("m/86'/1h/0'/0/2147483647"),
        Bytes(master.Neuter().ToString(true)),
    };
}

} // namespace

// Descriptor strings and their parts. A parsed descriptor prints (with checksum) to a string
// that parses to the same descriptor, scripts and paths; the public form drops private keys;
// extended keys, HD paths and base58 round-trip.
ODA_FUZZ_TARGET_SEEDS(wallet_descriptor, DescriptorSeeds)
{
    const std::string str(reinterpret_cast<const char*>(data), size);

    const std::string checksum = DescriptorChecksum(str);
    Assert(checksum.empty() || checksum.size() == 8, "checksum length");

    std::string error;
    const auto desc = Descriptor::Parse(str, &error);
    if (desc) {
        const std::string printed = desc->ToString();
        const auto again = Descriptor::Parse(printed, &error, /*require_checksum=*/true);
        Assert(again.has_value(), "printed descriptor does not parse");
        Assert(again->ToString() == printed, "descriptor printing is not canonical");
        Assert(again->IsRange() == desc->IsRange() && !again->HasPrivateKeys(), "descriptor kind (the default form is public)");
        const Descriptor pub = desc->Public();
        Assert(!pub.HasPrivateKeys(), "public form keeps private keys");
        for (uint32_t pos : {0u, 1u, 0x7fffffffu}) {
            const auto script = desc->ScriptAt(pos);
            Assert(script == again->ScriptAt(pos) && script == pub.ScriptAt(pos), "scripts differ between equal descriptors");
            Assert(!script || (script->size() == 34 && (*script)[0] == 0x51 && (*script)[1] == 0x20), "descriptor script is not taproot");
            Assert(desc->KeyPathAt(pos) == again->KeyPathAt(pos), "key paths differ");
            if (desc->HasPrivateKeys()) {
                const auto priv = desc->PrivKeyAt(pos);
                const auto internal = desc->InternalKey(pos);
                Assert(priv.has_value() == internal.has_value() && (!priv || priv->GetXOnlyPubKey() == *internal), "private key does not match");
            }
            desc->InferredAt(pos);
        }
        if (desc->HasPrivateKeys()) {
            const auto priv_again = Descriptor::Parse(desc->ToString(true), &error, true);
            Assert(priv_again && priv_again->HasPrivateKeys() && priv_again->ToString() == printed, "private form round trip");
        }
    } else if (!desc) {
        Assert(!error.empty(), "descriptor rejection without a reason");
    }

    if (const auto key = DecodeExtKey(str, &error)) {
        Assert(key->pub.ToString(key->mainnet) == str || key->is_private, "xpub round trip");
        if (key->is_private) {
            Assert(key->priv.ToString(key->mainnet) == str, "xprv round trip");
            Assert(key->priv.Neuter() == key->pub, "neutered key differs");
        }
    }
    if (const auto path = ParseHDPath(str)) {
        Assert(ParseHDPath(FormatHDPath(*path)) == path, "HD path round trip");
    }
    if (const auto decoded = DecodeBase58(str, 256)) {
        Assert(decoded->size() <= 256, "base58 over its bound");
        Assert(EncodeBase58(*decoded) == str, "base58 round trip");
    }
    if (const auto payload = DecodeBase58Check(str, 256)) {
        Assert(EncodeBase58Check(*payload) == str, "base58check round trip");
    }
    if (size <= 128) { // base58 is quadratic; longer inputs add time, not coverage
        Assert(DecodeBase58(EncodeBase58(std::vector<uint8_t>(data, data + size)), size) == std::vector<uint8_t>(data, data + size),
               "EncodeBase58 does not decode back");
    }
}

// Ownership outputs (wallet/ownership.h) of arbitrary transactions: never a crash; an output
// it names exists, is not OP_RETURN and is the first such output; OwnershipOutputModel agrees
// with it on every output.
ODA_FUZZ_TARGET(wallet_ownership)
{
    CMutableTransaction mtx;
    try {
        DeserializeExact(data, size, mtx);
    } catch (const SerializationError&) {
        return;
    }
    const CTransaction tx(mtx);
    const auto owned = OwnershipOutput(tx);
    if (owned) {
        Assert(owned->first < tx.vout.size(), "ownership output index out of range");
        const ScriptBytes& spk = tx.vout[owned->first].script_pubkey;
        Assert(spk.empty() || spk[0] != OP_RETURN, "an OP_RETURN output cannot own a model");
        for (uint32_t i = 0; i < owned->first; ++i) {
            const ScriptBytes& before = tx.vout[i].script_pubkey;
            Assert(!before.empty() && before[0] == OP_RETURN, "not the first non-OP_RETURN output");
        }
    }
    for (uint32_t i = 0; i < tx.vout.size(); ++i) {
        const auto model = OwnershipOutputModel(tx, i);
        Assert(model.has_value() == (owned && owned->first == i), "OwnershipOutputModel disagrees");
        if (model) Assert(*model == owned->second, "OwnershipOutputModel names another model");
    }
}
