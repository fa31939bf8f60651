#include <crypto/merkle_bep52.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

uint256 Bep52MerkleRoot(std::vector<uint256> leaves)
{
    if (leaves.empty()) return uint256{};
    size_t width = 1;
    while (width < leaves.size()) width *= 2;
    leaves.resize(width, uint256{}); // BEP 52: leaves beyond the end are zero hashes
    uint8_t pair[64];
    while (leaves.size() > 1) {
        for (size_t i = 0; i < leaves.size() / 2; ++i) {
            std::memcpy(pair, leaves[2 * i].data(), 32);
            std::memcpy(pair + 32, leaves[2 * i + 1].data(), 32);
            SHA256Once(pair, sizeof(pair), leaves[i].data());
        }
        leaves.resize(leaves.size() / 2);
    }
    return leaves[0];
}

void Bep52Hasher::FlushBlock()
{
    uint256 leaf;
    m_block.Finalize(leaf.data());
    m_block.Reset();
    m_leaves.push_back(leaf);
    m_block_fill = 0;
}

Bep52Hasher& Bep52Hasher::Write(const uint8_t* data, size_t len)
{
    m_size += len;
    while (len > 0) {
        size_t take = std::min(len, BEP52_BLOCK_SIZE - m_block_fill);
        m_block.Write(data, take);
        m_block_fill += take;
        data += take;
        len -= take;
        if (m_block_fill == BEP52_BLOCK_SIZE) FlushBlock();
    }
    return *this;
}

std::optional<uint256> Bep52Hasher::Finalize()
{
    if (m_block_fill > 0) FlushBlock();
    if (m_leaves.empty()) return std::nullopt;
    uint256 root = Bep52MerkleRoot(std::move(m_leaves));
    m_leaves.clear();
    m_size = 0;
    return root;
}

std::optional<uint256> Bep52PiecesRoot(const uint8_t* data, size_t len)
{
    Bep52Hasher h;
    h.Write(data, len);
    return h.Finalize();
}

std::optional<uint256> Bep52PiecesRootOfFile(const std::string& path, std::string& error,
                                             uint64_t* size_out)
{
    error.clear();
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) {
        error = "cannot open " + path;
        return std::nullopt;
    }
    Bep52Hasher h;
    std::vector<uint8_t> buf(1 << 20);
    while (true) {
        size_t n = std::fread(buf.data(), 1, buf.size(), f.get());
        if (n > 0) h.Write(buf.data(), n);
        if (n < buf.size()) {
            if (std::ferror(f.get())) {
                error = "read error on " + path;
                return std::nullopt;
            }
            break;
        }
    }
    if (size_out) *size_out = h.Size();
    return h.Finalize();
}
