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

int CompareChainWork(const uint256& a, const uint256& b)
{
    // Most significant byte is the last one.
    for (int i = static_cast<int>(uint256::size()) - 1; i >= 0; --i) {
        if (a.data()[i] != b.data()[i]) return a.data()[i] < b.data()[i] ? -1 : 1;
    }
    return 0;
}

uint256 AddChainWork(const uint256& a, const uint256& b)
{
    const arith_uint256 x = UintToArith256(a);
    const arith_uint256 sum = x + UintToArith256(b);
    if (sum < x) return ArithToUint256(~arith_uint256(0)); // wrapped: saturate
    return ArithToUint256(sum);
}

uint256 SubChainWork(const uint256& a, const uint256& b)
{
    if (CompareChainWork(a, b) <= 0) return uint256();
    return ArithToUint256(UintToArith256(a) - UintToArith256(b));
}
