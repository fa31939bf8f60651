#include <primitives/block.h>

#include <crypto/hash.h>

uint256 CBlockHeader::GetHash() const
{
    return SerializeHash(*this);
}
