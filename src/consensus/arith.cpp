#include <consensus/arith.h>

arith_uint256 UintToArith256(const uint256& blob)
{
    arith_uint256 value = 0;
    for (int i = static_cast<int>(uint256::size()) - 1; i >= 0; --i) {
        value <<= 8;
        value |= blob.data()[i];
    }
    return value;
}

uint256 ArithToUint256(const arith_uint256& value)
{
    uint256 blob;
    arith_uint256 rest = value;
    for (unsigned int i = 0; i < uint256::size(); ++i) {
        blob.data()[i] = static_cast<uint8_t>(rest & 0xff);
        rest >>= 8;
    }
    return blob;
}

namespace {
unsigned int BitLength(const arith_uint256& v)
{
    return v == 0 ? 0 : static_cast<unsigned int>(boost::multiprecision::msb(v)) + 1;
}
} // namespace

arith_uint256 DecodeCompact(uint32_t compact, bool* negative, bool* overflow)
{
    const unsigned int size = compact >> 24;
    uint32_t mantissa = compact & 0x007fffff;
    arith_uint256 value;
    if (size <= 3) {
        mantissa >>= 8 * (3 - size);
        value = mantissa;
    } else if (size - 3 < 32) {
        value = arith_uint256(mantissa) << (8 * (size - 3));
    } else {
        value = 0; // shifted out entirely; reported as overflow below when mantissa != 0
    }
    if (negative) *negative = mantissa != 0 && (compact & 0x00800000) != 0;
    if (overflow) {
        *overflow = mantissa != 0 && (size > 34 || (mantissa > 0xff && size > 33) ||
                                      (mantissa > 0xffff && size > 32));
    }
    return value;
}

uint32_t EncodeCompact(const arith_uint256& value)
{
    unsigned int size = (BitLength(value) + 7) / 8;
    uint32_t mantissa;
    if (size <= 3) {
        mantissa = static_cast<uint32_t>(value) << (8 * (3 - size));
    } else {
        mantissa = static_cast<uint32_t>(value >> (8 * (size - 3)));
    }
    // Bit 23 is the sign: a mantissa that would set it moves one byte down.
    if (mantissa & 0x00800000) {
        mantissa >>= 8;
        ++size;
    }
    return mantissa | (static_cast<uint32_t>(size) << 24);
}

std::optional<arith_uint256> DeriveTarget(uint32_t bits, const uint256& pow_limit)
{
    bool negative = false;
    bool overflow = false;
    const arith_uint256 target = DecodeCompact(bits, &negative, &overflow);
    if (negative || overflow || target == 0 || target > UintToArith256(pow_limit)) return std::nullopt;
    return target;
}

