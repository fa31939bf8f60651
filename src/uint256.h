// Fixed-width opaque byte blobs used for hashes (uint256) and 160-bit values.
// Stored little-endian like Bitcoin's uint256: GetHex() prints the bytes in
// reverse, so block hashes and txids look the same as in Bitcoin tools.
#ifndef ODA_UINT256_H
#define ODA_UINT256_H

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

template <unsigned int BYTES>
class BaseBlob
{
protected:
    std::array<uint8_t, BYTES> m_data{};

public:
    static constexpr unsigned int SIZE = BYTES;

    constexpr BaseBlob() = default;
    explicit BaseBlob(const uint8_t* bytes) { std::memcpy(m_data.data(), bytes, BYTES); }

    bool IsNull() const
    {
        for (uint8_t b : m_data) if (b != 0) return false;
        return true;
    }
    void SetNull() { m_data.fill(0); }

    int Compare(const BaseBlob& other) const { return std::memcmp(m_data.data(), other.m_data.data(), BYTES); }
    friend bool operator==(const BaseBlob& a, const BaseBlob& b) { return a.Compare(b) == 0; }
    friend bool operator!=(const BaseBlob& a, const BaseBlob& b) { return a.Compare(b) != 0; }
    friend bool operator<(const BaseBlob& a, const BaseBlob& b) { return a.Compare(b) < 0; }

    /** Hex of the bytes in reverse order (Bitcoin's display convention for hashes). */
    std::string GetHex() const;
    /** Hex of the bytes in storage order. */
    std::string ToHexBytes() const;
    /** Parse the display (reversed) hex form; exactly 2*BYTES hex digits. */
    static std::optional<BaseBlob> FromHex(std::string_view hex);

    uint8_t* data() { return m_data.data(); }
    const uint8_t* data() const { return m_data.data(); }
    uint8_t* begin() { return m_data.data(); }
    uint8_t* end() { return m_data.data() + BYTES; }
    const uint8_t* begin() const { return m_data.data(); }
    const uint8_t* end() const { return m_data.data() + BYTES; }
    static constexpr unsigned int size() { return BYTES; }

    /** Little-endian 64-bit word number `pos` (0 = least significant). */
    uint64_t GetUint64(int pos) const
    {
        uint64_t v = 0;
        for (int i = 7; i >= 0; --i) v = (v << 8) | m_data[pos * 8 + i];
        return v;
    }

    template <typename Stream> void Serialize(Stream& s) const { s.write(m_data.data(), BYTES); }
    template <typename Stream> void Unserialize(Stream& s) { s.read(m_data.data(), BYTES); }
};

class uint160 : public BaseBlob<20>
{
public:
    using BaseBlob<20>::BaseBlob;
    uint160() = default;
    uint160(const BaseBlob<20>& b) : BaseBlob<20>(b) {}
};

class uint256 : public BaseBlob<32>
{
public:
    using BaseBlob<32>::BaseBlob;
    uint256() = default;
    uint256(const BaseBlob<32>& b) : BaseBlob<32>(b) {}
    static std::optional<uint256> FromHex(std::string_view hex)
    {
        auto b = BaseBlob<32>::FromHex(hex);
        if (!b) return std::nullopt;
        return uint256(*b);
    }
    static const uint256 ZERO;
    static const uint256 ONE;
};

#endif // ODA_UINT256_H
