// Bech32 (BIP 173) and bech32m (BIP 350) strings: a human-readable part (HRP),
// the separator '1', 5-bit data values and a 6-character checksum.
//
// Decode enforces: at most 90 characters; characters 33..126 only; no mixed
// case; a non-empty HRP; the last '1' is the separator; at least 6 data
// characters, all from the bech32 alphabet; and a checksum valid under the
// bech32 or the bech32m constant (the result tells which). The HRP is returned
// in lower case. On failure `encoding` is INVALID and `error` says why.
#ifndef ODA_SCRIPT_BECH32_H
#define ODA_SCRIPT_BECH32_H

#include <cstdint>
#include <string>
#include <vector>

namespace bech32 {

enum class Encoding {
    INVALID,
    BECH32,  //!< BIP 173 checksum constant 1
    BECH32M, //!< BIP 350 checksum constant 0x2bc830a3
};

/** Maximum length of a whole bech32 string (BIP 173). */
static constexpr size_t MAX_LENGTH = 90;
/** Length of the checksum in characters. */
static constexpr size_t CHECKSUM_SIZE = 6;

/** Encodes 5-bit `values` (each < 32) under `hrp` (lower case, chars 33..126).
 *  Returns "" when an input is out of range or the result would exceed MAX_LENGTH. */
std::string Encode(Encoding encoding, const std::string& hrp, const std::vector<uint8_t>& values);

struct DecodeResult {
    Encoding encoding{Encoding::INVALID};
    std::string hrp;             //!< lower case
    std::vector<uint8_t> data;   //!< 5-bit values, checksum removed
    std::string error;           //!< why decoding failed (empty on success)
};

DecodeResult Decode(const std::string& str);

/** Regroups bits: `from`-bit values to `to`-bit values (1 <= from, to <= 8).
 *  With pad, leftover bits are zero-padded into a last value. Without pad
 *  (decoding), fails if more than from-1 bits are left over or any is non-zero
 *  (BIP 173's rule for witness programs). Returns false on a value >= 2^from. */
bool ConvertBits(std::vector<uint8_t>& out, const std::vector<uint8_t>& in, int from, int to, bool pad);

} // namespace bech32

#endif // ODA_SCRIPT_BECH32_H
