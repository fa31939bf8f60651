#include <uint256.h>

#include <hex.h>

template <unsigned int BYTES>
std::string BaseBlob<BYTES>::GetHex() const
{
    std::array<uint8_t, BYTES> reversed;
    for (unsigned int i = 0; i < BYTES; ++i) reversed[i] = m_data[BYTES - 1 - i];
    return HexStr(reversed.data(), BYTES);
}

template <unsigned int BYTES>
std::string BaseBlob<BYTES>::ToHexBytes() const
{
    return HexStr(m_data.data(), BYTES);
}

template <unsigned int BYTES>
std::optional<BaseBlob<BYTES>> BaseBlob<BYTES>::FromHex(std::string_view hex)
{
    auto bytes = ParseHex(hex);
    if (!bytes || bytes->size() != BYTES) return std::nullopt;
    BaseBlob<BYTES> out;
    for (unsigned int i = 0; i < BYTES; ++i) out.m_data[i] = (*bytes)[BYTES - 1 - i];
    return out;
}

template class BaseBlob<20>;
template class BaseBlob<32>;

const uint256 uint256::ZERO{};
const uint256 uint256::ONE = [] { uint256 v; v.data()[0] = 1; return v; }();
