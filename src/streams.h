// Byte streams for serialize.h: an owning read/write buffer (DataStream), a
// non-owning reader over existing bytes (SpanReader) and an appending writer
// (VectorWriter). Reads past the end throw SerializationError.
#ifndef ODA_STREAMS_H
#define ODA_STREAMS_H

#include <serialize.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

/** Reads from bytes it does not own. The bytes must outlive the reader. */
class SpanReader
{
    const uint8_t* m_data;
    size_t m_size;
    size_t m_pos{0};

public:
    SpanReader(const uint8_t* data, size_t size) : m_data(data), m_size(size) {}
    explicit SpanReader(const std::vector<uint8_t>& v) : m_data(v.data()), m_size(v.size()) {}

    void read(uint8_t* dst, size_t n)
    {
        if (n > m_size - m_pos) throw SerializationError("unexpected end of data");
        if (n) std::memcpy(dst, m_data + m_pos, n);
        m_pos += n;
    }
    void ignore(size_t n)
    {
        if (n > m_size - m_pos) throw SerializationError("unexpected end of data");
        m_pos += n;
    }
    size_t remaining() const { return m_size - m_pos; }
    bool empty() const { return m_pos == m_size; }
    size_t pos() const { return m_pos; }
    const uint8_t* cursor() const { return m_data + m_pos; }

    template <typename T> SpanReader& operator>>(T& obj) { Unserialize(*this, obj); return *this; }
};

/** Appends to a vector it does not own. */
class VectorWriter
{
    std::vector<uint8_t>& m_out;

public:
    explicit VectorWriter(std::vector<uint8_t>& out) : m_out(out) {}
    void write(const uint8_t* src, size_t n) { m_out.insert(m_out.end(), src, src + n); }
    template <typename T> VectorWriter& operator<<(const T& obj) { Serialize(*this, obj); return *this; }
};

/** An owning buffer that is written at the end and read from the front. */
class DataStream
{
    std::vector<uint8_t> m_buf;
    size_t m_read_pos{0};

public:
    DataStream() = default;
    explicit DataStream(std::vector<uint8_t> bytes) : m_buf(std::move(bytes)) {}

    void write(const uint8_t* src, size_t n) { m_buf.insert(m_buf.end(), src, src + n); }
    void read(uint8_t* dst, size_t n)
    {
        if (n > m_buf.size() - m_read_pos) throw SerializationError("unexpected end of data");
        if (n) std::memcpy(dst, m_buf.data() + m_read_pos, n);
        m_read_pos += n;
        if (m_read_pos == m_buf.size()) { m_buf.clear(); m_read_pos = 0; }
    }
    void ignore(size_t n)
    {
        if (n > m_buf.size() - m_read_pos) throw SerializationError("unexpected end of data");
        m_read_pos += n;
    }
    /** Unread bytes. */
    size_t size() const { return m_buf.size() - m_read_pos; }
    bool empty() const { return size() == 0; }
    const uint8_t* data() const { return m_buf.data() + m_read_pos; }
    std::vector<uint8_t> bytes() const { return std::vector<uint8_t>(m_buf.begin() + m_read_pos, m_buf.end()); }
    void clear() { m_buf.clear(); m_read_pos = 0; }

    template <typename T> DataStream& operator<<(const T& obj) { Serialize(*this, obj); return *this; }
    template <typename T> DataStream& operator>>(T& obj) { Unserialize(*this, obj); return *this; }
};

/** Serializes obj into a fresh byte vector. */
template <typename T>
std::vector<uint8_t> SerializeToBytes(const T& obj)
{
    std::vector<uint8_t> out;
    VectorWriter w(out);
    Serialize(w, obj);
    return out;
}

/** Deserializes exactly `size` bytes into obj; trailing bytes are an error. */
template <typename T>
void DeserializeExact(const uint8_t* data, size_t size, T& obj)
{
    SpanReader r(data, size);
    Unserialize(r, obj);
    if (!r.empty()) throw SerializationError("trailing bytes after object");
}
template <typename T>
void DeserializeExact(const std::vector<uint8_t>& bytes, T& obj)
{
    DeserializeExact(bytes.data(), bytes.size(), obj);
}

#endif // ODA_STREAMS_H
