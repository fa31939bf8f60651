// Bitcoin-compatible binary serialization: little-endian integers, CompactSize
// lengths, vectors, arrays, strings, and classes that list their fields.
//
// Contract for untrusted input: every Unserialize either fills the object or
// throws SerializationError. Lengths are capped by MAX_SERIALIZED_SIZE and
// vectors grow in bounded chunks while their elements are actually read, so a
// hostile length prefix cannot make the reader allocate more than the input
// really contains (plus one chunk).
//
// A class opts in with ODA_SERIALIZE_FIELDS(a, b, c) (serialize those members
// in that order) or by writing template Serialize(Stream&) / Unserialize(Stream&).
#ifndef ODA_SERIALIZE_H
#define ODA_SERIALIZE_H

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

/** Thrown for any malformed or truncated input. */
class SerializationError : public std::runtime_error
{
public:
    explicit SerializationError(const std::string& what) : std::runtime_error(what) {}
};

/** Upper bound on any CompactSize length or count (32 MiB), as in Bitcoin. */
static constexpr uint64_t MAX_SERIALIZED_SIZE = 0x02000000;
/** Vectors of untrusted length grow by at most this many bytes at a time. */
static constexpr size_t MAX_VECTOR_CHUNK_BYTES = 5'000'000;

// ----------------------------------------------------------------- integers
template <typename Stream, typename I>
inline void WriteLE(Stream& s, I value)
{
    static_assert(std::is_integral_v<I>);
    using U = std::make_unsigned_t<I>;
    U u = static_cast<U>(value);
    uint8_t buf[sizeof(I)];
    for (size_t i = 0; i < sizeof(I); ++i) buf[i] = static_cast<uint8_t>(u >> (8 * i));
    s.write(buf, sizeof(I));
}

template <typename I, typename Stream>
inline I ReadLE(Stream& s)
{
    static_assert(std::is_integral_v<I>);
    using U = std::make_unsigned_t<I>;
    uint8_t buf[sizeof(I)];
    s.read(buf, sizeof(I));
    U u = 0;
    for (size_t i = 0; i < sizeof(I); ++i) u |= static_cast<U>(static_cast<U>(buf[i]) << (8 * i));
    return static_cast<I>(u);
}

template <typename Stream> inline void Serialize(Stream& s, uint8_t v) { s.write(&v, 1); }
template <typename Stream> inline void Serialize(Stream& s, int8_t v) { WriteLE(s, v); }
template <typename Stream> inline void Serialize(Stream& s, uint16_t v) { WriteLE(s, v); }
template <typename Stream> inline void Serialize(Stream& s, int16_t v) { WriteLE(s, v); }
template <typename Stream> inline void Serialize(Stream& s, uint32_t v) { WriteLE(s, v); }
template <typename Stream> inline void Serialize(Stream& s, int32_t v) { WriteLE(s, v); }
template <typename Stream> inline void Serialize(Stream& s, uint64_t v) { WriteLE(s, v); }
template <typename Stream> inline void Serialize(Stream& s, int64_t v) { WriteLE(s, v); }
template <typename Stream> inline void Serialize(Stream& s, bool v) { uint8_t b = v ? 1 : 0; s.write(&b, 1); }

template <typename Stream> inline void Unserialize(Stream& s, uint8_t& v) { s.read(&v, 1); }
template <typename Stream> inline void Unserialize(Stream& s, int8_t& v) { v = ReadLE<int8_t>(s); }
template <typename Stream> inline void Unserialize(Stream& s, uint16_t& v) { v = ReadLE<uint16_t>(s); }
template <typename Stream> inline void Unserialize(Stream& s, int16_t& v) { v = ReadLE<int16_t>(s); }
template <typename Stream> inline void Unserialize(Stream& s, uint32_t& v) { v = ReadLE<uint32_t>(s); }
template <typename Stream> inline void Unserialize(Stream& s, int32_t& v) { v = ReadLE<int32_t>(s); }
template <typename Stream> inline void Unserialize(Stream& s, uint64_t& v) { v = ReadLE<uint64_t>(s); }
template <typename Stream> inline void Unserialize(Stream& s, int64_t& v) { v = ReadLE<int64_t>(s); }
template <typename Stream> inline void Unserialize(Stream& s, bool& v)
{
    uint8_t b;
    s.read(&b, 1);
    if (b > 1) throw SerializationError("non-canonical boolean");
    v = b != 0;
}

// ------------------------------------------------------------ CompactSize
/** Number of bytes WriteCompactSize uses for n. */
inline unsigned int CompactSizeLen(uint64_t n)
{
    if (n < 253) return 1;
    if (n <= 0xffff) return 3;
    if (n <= 0xffffffff) return 5;
    return 9;
}

template <typename Stream>
void WriteCompactSize(Stream& s, uint64_t n)
{
    if (n < 253) {
        Serialize(s, static_cast<uint8_t>(n));
    } else if (n <= 0xffff) {
        Serialize(s, uint8_t{253});
        WriteLE(s, static_cast<uint16_t>(n));
    } else if (n <= 0xffffffff) {
        Serialize(s, uint8_t{254});
        WriteLE(s, static_cast<uint32_t>(n));
    } else {
        Serialize(s, uint8_t{255});
        WriteLE(s, n);
    }
}

/** Reads a CompactSize; rejects non-minimal encodings and, when range_check,
 *  values above MAX_SERIALIZED_SIZE. */
template <typename Stream>
uint64_t ReadCompactSize(Stream& s, bool range_check = true)
{
    uint8_t first;
    s.read(&first, 1);
    uint64_t n;
    if (first < 253) {
        n = first;
    } else if (first == 253) {
        n = ReadLE<uint16_t>(s);
        if (n < 253) throw SerializationError("non-canonical CompactSize");
    } else if (first == 254) {
        n = ReadLE<uint32_t>(s);
        if (n <= 0xffff) throw SerializationError("non-canonical CompactSize");
    } else {
        n = ReadLE<uint64_t>(s);
        if (n <= 0xffffffffULL) throw SerializationError("non-canonical CompactSize");
    }
    if (range_check && n > MAX_SERIALIZED_SIZE) throw SerializationError("CompactSize exceeds maximum size");
    return n;
}

// ------------------------------------------------------ class detection
template <typename T, typename Stream, typename = void>
struct HasSerializeMethod : std::false_type {};
template <typename T, typename Stream>
struct HasSerializeMethod<T, Stream, std::void_t<decltype(std::declval<const T&>().Serialize(std::declval<Stream&>()))>> : std::true_type {};

template <typename Stream, typename T>
inline auto Serialize(Stream& s, const T& obj) -> decltype(obj.Serialize(s))
{
    obj.Serialize(s);
}
template <typename Stream, typename T>
inline auto Unserialize(Stream& s, T& obj) -> decltype(obj.Unserialize(s))
{
    obj.Unserialize(s);
}

// -------------------------------------------------------------- containers
template <typename Stream, typename T, typename A> void Serialize(Stream& s, const std::vector<T, A>& v);
template <typename Stream, typename T, typename A> void Unserialize(Stream& s, std::vector<T, A>& v);
template <typename Stream, typename T, size_t N> void Serialize(Stream& s, const std::array<T, N>& a);
template <typename Stream, typename T, size_t N> void Unserialize(Stream& s, std::array<T, N>& a);
template <typename Stream, typename A, typename B> void Serialize(Stream& s, const std::pair<A, B>& p);
template <typename Stream, typename A, typename B> void Unserialize(Stream& s, std::pair<A, B>& p);

template <typename Stream>
void Serialize(Stream& s, const std::string& str)
{
    WriteCompactSize(s, str.size());
    if (!str.empty()) s.write(reinterpret_cast<const uint8_t*>(str.data()), str.size());
}
template <typename Stream>
void Unserialize(Stream& s, std::string& str)
{
    uint64_t n = ReadCompactSize(s);
    str.clear();
    // Read in bounded chunks so a lying length costs no more memory than the input holds.
    while (str.size() < n) {
        size_t chunk = static_cast<size_t>(std::min<uint64_t>(n - str.size(), MAX_VECTOR_CHUNK_BYTES));
        size_t old = str.size();
        str.resize(old + chunk);
        s.read(reinterpret_cast<uint8_t*>(&str[old]), chunk);
    }
}

template <typename Stream, typename T, typename A>
void Serialize(Stream& s, const std::vector<T, A>& v)
{
    WriteCompactSize(s, v.size());
    if constexpr (std::is_same_v<T, uint8_t> || std::is_same_v<T, int8_t>) {
        if (!v.empty()) s.write(reinterpret_cast<const uint8_t*>(v.data()), v.size());
    } else {
        for (const T& e : v) Serialize(s, e);
    }
}

template <typename Stream, typename T, typename A>
void Unserialize(Stream& s, std::vector<T, A>& v)
{
    uint64_t n = ReadCompactSize(s);
    v.clear();
    if constexpr (std::is_same_v<T, uint8_t> || std::is_same_v<T, int8_t>) {
        while (v.size() < n) {
            size_t chunk = static_cast<size_t>(std::min<uint64_t>(n - v.size(), MAX_VECTOR_CHUNK_BYTES));
            size_t old = v.size();
            v.resize(old + chunk);
            s.read(reinterpret_cast<uint8_t*>(v.data() + old), chunk);
        }
    } else {
        const size_t per_chunk = std::max<size_t>(1, MAX_VECTOR_CHUNK_BYTES / sizeof(T));
        while (v.size() < n) {
            size_t target = static_cast<size_t>(std::min<uint64_t>(n, v.size() + per_chunk));
            v.reserve(target);
            while (v.size() < target) {
                v.emplace_back();
                Unserialize(s, v.back());
            }
        }
    }
}

template <typename Stream, typename T, size_t N>
void Serialize(Stream& s, const std::array<T, N>& a)
{
    if constexpr (std::is_same_v<T, uint8_t>) {
        s.write(a.data(), N);
    } else {
        for (const T& e : a) Serialize(s, e);
    }
}
template <typename Stream, typename T, size_t N>
void Unserialize(Stream& s, std::array<T, N>& a)
{
    if constexpr (std::is_same_v<T, uint8_t>) {
        s.read(a.data(), N);
    } else {
        for (T& e : a) Unserialize(s, e);
    }
}

template <typename Stream, typename A, typename B>
void Serialize(Stream& s, const std::pair<A, B>& p)
{
    Serialize(s, p.first);
    Serialize(s, p.second);
}
template <typename Stream, typename A, typename B>
void Unserialize(Stream& s, std::pair<A, B>& p)
{
    Unserialize(s, p.first);
    Unserialize(s, p.second);
}

// --------------------------------------------------------- field lists
template <typename Stream, typename... T>
void SerializeMany(Stream& s, const T&... fields)
{
    (Serialize(s, fields), ...);
}
template <typename Stream, typename... T>
void UnserializeMany(Stream& s, T&... fields)
{
    (Unserialize(s, fields), ...);
}

/** Defines Serialize/Unserialize that write/read the listed members in order. */
#define ODA_SERIALIZE_FIELDS(...)                                                        \
    template <typename Stream> void Serialize(Stream& s) const { SerializeMany(s, __VA_ARGS__); } \
    template <typename Stream> void Unserialize(Stream& s) { UnserializeMany(s, __VA_ARGS__); }

// ------------------------------------------------------------- sizing
/** A stream that only counts bytes. */
class SizeComputer
{
    size_t m_size{0};

public:
    void write(const uint8_t*, size_t n) { m_size += n; }
    size_t size() const { return m_size; }
};

template <typename T>
size_t GetSerializeSize(const T& obj)
{
    SizeComputer sc;
    Serialize(sc, obj);
    return sc.size();
}

#endif // ODA_SERIALIZE_H
