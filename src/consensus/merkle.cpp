#include <consensus/merkle.h>

#include <crypto/hash.h>

uint256 ComputeMerkleRoot(std::vector<uint256> leaves, bool* mutated)
{
    bool found_mutation = false;
    while (leaves.size() > 1) {
        for (size_t i = 0; i + 1 < leaves.size(); i += 2) {
            if (leaves[i] == leaves[i + 1]) found_mutation = true;
        }
        if (leaves.size() % 2 != 0) leaves.push_back(leaves.back());
        std::vector<uint256> parents;
        parents.reserve(leaves.size() / 2);
        for (size_t i = 0; i < leaves.size(); i += 2) {
            HashWriter hw;
            hw << leaves[i] << leaves[i + 1];
            parents.push_back(hw.GetHash());
        }
        leaves.swap(parents);
    }
    if (mutated) *mutated = found_mutation;
    return leaves.empty() ? uint256() : leaves[0];
}

uint256 BlockMerkleRoot(const CBlock& block, bool* mutated)
{
    std::vector<uint256> leaves;
    leaves.reserve(block.vtx.size());
    for (const CTransactionRef& tx : block.vtx) leaves.push_back(tx->GetTxid());
    return ComputeMerkleRoot(std::move(leaves), mutated);
}

uint256 BlockWitnessMerkleRoot(const CBlock& block, bool* mutated)
{
    std::vector<uint256> leaves;
    leaves.reserve(block.vtx.size());
    for (size_t i = 0; i < block.vtx.size(); ++i) {
        leaves.push_back(i == 0 ? uint256() : block.vtx[i]->GetWtxid());
    }
    return ComputeMerkleRoot(std::move(leaves), mutated);
}
