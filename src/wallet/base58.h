// Base58 and Base58Check (used only for BIP 32 extended key strings: ODA
// addresses are bech32m).
#ifndef ODA_WALLET_BASE58_H
#define ODA_WALLET_BASE58_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/** Base58 of `data` (alphabet 123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz;
 *  each leading zero byte becomes a leading '1'). */
std::string EncodeBase58(const std::vector<uint8_t>& data);

/** Inverse of EncodeBase58. nullopt for a character outside the alphabet, or when the
 *  decoded result would exceed `max_len` bytes (bounds work on untrusted input). */
std::optional<std::vector<uint8_t>> DecodeBase58(const std::string& str, size_t max_len);

/** Base58 of data || first 4 bytes of SHA256d(data). */
std::string EncodeBase58Check(const std::vector<uint8_t>& data);

/** Decodes and verifies the 4-byte checksum; returns the payload without it. nullopt on
 *  bad characters, a payload longer than `max_payload_len`, or a checksum mismatch. */
std::optional<std::vector<uint8_t>> DecodeBase58Check(const std::string& str, size_t max_payload_len);

#endif // ODA_WALLET_BASE58_H
