#include <serialize.h>
#include <streams.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(serialize_tests)

BOOST_AUTO_TEST_CASE(compactsize_roundtrip_and_lengths)
{
    const uint64_t values[] = {0, 1, 252, 253, 0xffff, 0x10000, 0xffffffffULL, 0x100000000ULL, ~0ULL};
    for (uint64_t v : values) {
        DataStream ds;
        WriteCompactSize(ds, v);
        BOOST_CHECK_EQUAL(ds.size(), CompactSizeLen(v));
        BOOST_CHECK_EQUAL(ReadCompactSize(ds, /*range_check=*/false), v);
        BOOST_CHECK(ds.empty());
    }
}

BOOST_AUTO_TEST_CASE(compactsize_rejects_noncanonical_and_oversize)
{
    // 0xfd followed by a value < 253 is a non-minimal encoding.
    DataStream a(FromHex("fdfc00"));
    BOOST_CHECK_THROW(ReadCompactSize(a), SerializationError);
    DataStream b(FromHex("feffff0000"));
    BOOST_CHECK_THROW(ReadCompactSize(b), SerializationError);
    DataStream c(FromHex("ffffffffff00000000"));
    BOOST_CHECK_THROW(ReadCompactSize(c), SerializationError);
    // 0x02000001 is above the 32 MiB cap.
    DataStream d(FromHex("fe01000002"));
    BOOST_CHECK_THROW(ReadCompactSize(d), SerializationError);
}

BOOST_AUTO_TEST_CASE(integers_little_endian)
{
    DataStream ds;
    ds << uint32_t{0x01020304} << int64_t{-2} << uint16_t{0xabcd};
    BOOST_CHECK_EQUAL(HexStr(ds.bytes()), "04030201feffffffffffffffcdab");
    uint32_t a; int64_t b; uint16_t c;
    ds >> a >> b >> c;
    BOOST_CHECK_EQUAL(a, 0x01020304u);
    BOOST_CHECK_EQUAL(b, -2);
    BOOST_CHECK_EQUAL(c, 0xabcd);
}

BOOST_AUTO_TEST_CASE(truncated_input_throws)
{
    DataStream ds(FromHex("0102"));
    uint32_t v;
    BOOST_CHECK_THROW(ds >> v, SerializationError);
}

BOOST_AUTO_TEST_CASE(hostile_vector_length_does_not_allocate)
{
    // Claims 0x01ffffff elements of 8 bytes each but provides none: the reader
    // must fail on the missing data after at most one bounded chunk.
    DataStream ds(FromHex("feffffff01"));
    std::vector<uint64_t> v;
    BOOST_CHECK_THROW(ds >> v, SerializationError);
    BOOST_CHECK_LE(v.capacity() * sizeof(uint64_t), MAX_VECTOR_CHUNK_BYTES + sizeof(uint64_t));
    DataStream ds2(FromHex("feffffff01"));
    std::vector<uint8_t> bytes;
    BOOST_CHECK_THROW(ds2 >> bytes, SerializationError);
}

struct TwoFields {
    uint32_t a{0};
    std::vector<uint8_t> b;
    ODA_SERIALIZE_FIELDS(a, b)
};

BOOST_AUTO_TEST_CASE(field_list_and_exact_decoding)
{
    TwoFields t;
    t.a = 7;
    t.b = {1, 2, 3};
    std::vector<uint8_t> bytes = SerializeToBytes(t);
    BOOST_CHECK_EQUAL(HexStr(bytes), "0700000003010203");
    BOOST_CHECK_EQUAL(GetSerializeSize(t), bytes.size());
    TwoFields u;
    DeserializeExact(bytes, u);
    BOOST_CHECK_EQUAL(u.a, 7u);
    BOOST_CHECK(u.b == t.b);
    bytes.push_back(0);
    BOOST_CHECK_THROW(DeserializeExact(bytes, u), SerializationError);
}

BOOST_AUTO_TEST_CASE(bool_must_be_canonical)
{
    DataStream ds(FromHex("02"));
    bool b;
    BOOST_CHECK_THROW(ds >> b, SerializationError);
}

BOOST_AUTO_TEST_SUITE_END()
