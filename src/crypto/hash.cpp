#include <crypto/hash.h>

HashWriter HashWriter::Tagged(std::string_view tag)
{
    uint8_t tag_hash[32];
    SHA256Once(reinterpret_cast<const uint8_t*>(tag.data()), tag.size(), tag_hash);
    HashWriter hw;
    hw.write(tag_hash, 32);
    hw.write(tag_hash, 32);
    return hw;
}

uint256 HashWriter::GetHash()
{
    uint8_t first[32];
    m_ctx.Finalize(first);
    uint256 out;
    SHA256Once(first, 32, out.data());
    return out;
}

uint256 HashWriter::GetSHA256()
{
    uint256 out;
    m_ctx.Finalize(out.data());
    return out;
}

uint256 Hash256(const uint8_t* data, size_t len)
{
    uint256 out;
    SHA256d(data, len, out.data());
    return out;
}

uint256 Sha256(const uint8_t* data, size_t len)
{
    uint256 out;
    SHA256Once(data, len, out.data());
    return out;
}

uint256 TaggedHash(std::string_view tag, const uint8_t* msg, size_t len)
{
    HashWriter hw = HashWriter::Tagged(tag);
    hw.write(msg, len);
    return hw.GetSHA256();
}
