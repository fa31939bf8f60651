// Output descriptors, restricted to what an ODA wallet can spend: tr(KEY) with no
// script tree (BIP 386 key path only), where KEY is
//   [fingerprint/origin/path]xpub.../0/*    (or xprv/tpub/tprv; ranged or not), or
//   a 64-hex-digit x-only public key (watch-only, not ranged).
// Paths after an extended key may contain hardened steps only with a private key.
// The "#xxxxxxxx" suffix is the BIP 380 descriptor checksum.
#ifndef ODA_WALLET_DESCRIPTOR_H
#define ODA_WALLET_DESCRIPTOR_H

#include <primitives/transaction.h>
#include <script/keys.h>
#include <wallet/bip32.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/** BIP 380 checksum (8 characters) of a descriptor string without "#...";
 *  "" when the string holds a character outside the descriptor character set. */
std::string DescriptorChecksum(const std::string& desc);
/** desc + "#" + checksum. */
std::string AddChecksum(const std::string& desc);

class Descriptor
{
public:
    struct Origin {
        std::array<uint8_t, 4> fingerprint{};
        std::vector<uint32_t> path;
    };

    /** Parses a descriptor. With require_checksum the "#checksum" must be present;
     *  a present checksum must always match. nullopt with *error on failure. */
    static std::optional<Descriptor> Parse(const std::string& str, std::string* error, bool require_checksum = false);

    /** Descriptor string with checksum; with `priv` the xprv form (requires HasPrivateKeys()). */
    std::string ToString(bool priv = false) const;
    bool IsRange() const { return m_ranged; }
    bool HasPrivateKeys() const { return m_priv.has_value(); }
    /** A copy without private keys (for watch-only export). */
    Descriptor Public() const;

    /** Internal (untweaked) key at range position `pos` (ignored when not ranged). */
    std::optional<XOnlyPubKey> InternalKey(uint32_t pos) const;
    /** Taproot output script (BIP 86 tweak of the internal key) at `pos`. */
    std::optional<ScriptBytes> ScriptAt(uint32_t pos) const;
    /** Internal private key at `pos` (needs HasPrivateKeys()). */
    std::optional<CKey> PrivKeyAt(uint32_t pos) const;
    /** Full BIP 32 path from the origin's master key to the key at `pos`
     *  ("m/86'/1'/0'/0/5"), "" for a single key without origin. */
    std::string KeyPathAt(uint32_t pos) const;
    /** The concrete (non-ranged) descriptor of position `pos`, as getaddressinfo's "desc". */
    std::string InferredAt(uint32_t pos) const;

private:
    std::optional<Origin> m_origin;
    bool m_extended{false};
    bool m_mainnet{false};
    std::optional<ExtKey> m_priv;      //!< when built from an xprv
    ExtPubKey m_pub;                   //!< extended form (neutered xprv or the xpub)
    XOnlyPubKey m_single;              //!< when !m_extended
    std::vector<uint32_t> m_path;      //!< steps after the extended key (before '*')
    bool m_ranged{false};

    std::string KeyString(bool priv) const;
    std::optional<ExtPubKey> PubAt(uint32_t pos) const;
};

#endif // ODA_WALLET_DESCRIPTOR_H
