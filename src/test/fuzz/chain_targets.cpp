// Fuzz target for src/oda/chain: the ODA payload codec (every ODA output of every
// transaction a peer sends is decoded). Invariant: whatever decodes re-encodes to the same
// bytes, so a payload has exactly one meaning and one encoding.
#include <oda/chain/payload.h>
#include <test/fuzz/fuzz.h>
#include <test/oda_payload_examples.h>

#include <string>
#include <vector>

using oda::fuzz::Assert;

namespace {

std::vector<std::vector<uint8_t>> PayloadSeeds()
{
    std::vector<std::vector<uint8_t>> seeds;
    for (const oda::chain::Payload& p : oda::test::ExamplePayloads()) seeds.push_back(oda::chain::EncodeOdaPayload(p));
    return seeds;
}

} // namespace

ODA_FUZZ_TARGET_SEEDS(oda_payload_decode, PayloadSeeds)
{
    const std::vector<uint8_t> bytes(data, data + size);
    oda::chain::Payload p;
    std::string error;
    if (!oda::chain::DecodeOdaPayload(bytes, p, error)) {
        Assert(!error.empty(), "a failed decode says why");
        return;
    }
    Assert(oda::chain::EncodeOdaPayload(p) == bytes, "decode->encode round-trips byte for byte");
    oda::chain::Payload again;
    Assert(oda::chain::DecodeOdaPayload(bytes, again, error) && again == p, "decoding is deterministic");
}
