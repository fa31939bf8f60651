#include <node/blockindex.h>

#include <algorithm>
#include <cmath>

namespace node {

double WorkToDouble(const uint256& w)
{
    double r = 0;
    for (int i = 31; i >= 0; --i) r = r * 256.0 + w.data()[i];
    return r;
}

CBlockHeader CBlockIndex::GetBlockHeader() const
{
    CBlockHeader h;
    h.version = version;
    if (pprev) h.hash_prev_block = pprev->GetBlockHash();
    h.hash_merkle_root = merkle_root;
    h.time = time;
    h.bits = bits;
    h.nonce = nonce;
    return h;
}

int64_t CBlockIndex::GetMedianTimePast() const
{
    constexpr int WINDOW = 11;
    int64_t times[WINDOW];
    int n = 0;
    for (const CBlockIndex* p = this; p && n < WINDOW; p = p->pprev) times[n++] = p->GetBlockTime();
    std::sort(times, times + n);
    return times[n / 2];
}

// Skip target: the height with the lowest set bit cleared. Walking to an
// ancestor alternates skips and single steps, which is logarithmic in practice.
static int SkipHeight(int height)
{
    if (height < 2) return 0;
    return height & (height - 1);
}

void CBlockIndex::BuildSkip()
{
    if (pprev) pskip = pprev->GetAncestor(SkipHeight(height));
}

const CBlockIndex* CBlockIndex::GetAncestor(int h) const
{
    if (h > height || h < 0) return nullptr;
    const CBlockIndex* walk = this;
    while (walk && walk->height > h) {
        if (walk->pskip && walk->pskip->height >= h) {
            walk = walk->pskip;
        } else {
            walk = walk->pprev;
        }
    }
    return walk;
}

CBlockIndex* CBlockIndex::GetAncestor(int h)
{
    return const_cast<CBlockIndex*>(static_cast<const CBlockIndex*>(this)->GetAncestor(h));
}

std::string CBlockIndex::ToString() const
{
    return "CBlockIndex(height=" + std::to_string(height) + ", hash=" + (phash ? phash->GetHex() : "?") + ")";
}

const CBlockIndex* LastCommonAncestor(const CBlockIndex* a, const CBlockIndex* b)
{
    if (!a || !b) return nullptr;
    if (a->height > b->height) a = a->GetAncestor(b->height);
    if (b->height > a->height) b = b->GetAncestor(a->height);
    while (a != b && a && b) {
        a = a->pprev;
        b = b->pprev;
    }
    return a == b ? a : nullptr;
}

void CChain::SetTip(CBlockIndex* tip)
{
    if (!tip) {
        m_chain.clear();
        return;
    }
    m_chain.resize(tip->height + 1);
    while (tip && m_chain[tip->height] != tip) {
        m_chain[tip->height] = tip;
        tip = tip->pprev;
    }
}

CBlockLocator CChain::GetLocator(const CBlockIndex* index) const
{
    CBlockLocator loc;
    if (!index) index = Tip();
    int step = 1;
    while (index) {
        loc.have.push_back(index->GetBlockHash());
        if (index->height == 0) break;
        int next = std::max(index->height - step, 0);
        index = Contains(index) ? (*this)[next] : index->GetAncestor(next);
        if (loc.have.size() > 10) step *= 2;
    }
    return loc;
}

const CBlockIndex* CChain::FindFork(const CBlockIndex* index) const
{
    if (!index) return nullptr;
    if (index->height > Height()) index = index->GetAncestor(Height());
    while (index && !Contains(index)) index = index->pprev;
    return index;
}

DiskBlockIndex::DiskBlockIndex(const CBlockIndex& index)
    : height(index.height), status(index.status), tx_count(index.tx_count), file(index.file),
      data_pos(index.data_pos), undo_pos(index.undo_pos), header(index.GetBlockHeader())
{
    if (index.pprev) hash_prev = index.pprev->GetBlockHash();
}

} // namespace node
