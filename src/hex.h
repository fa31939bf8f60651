// Hex encoding and strict decoding of byte strings.
#ifndef ODA_HEX_H
#define ODA_HEX_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

std::string HexStr(const uint8_t* data, size_t len);
inline std::string HexStr(const std::vector<uint8_t>& v) { return HexStr(v.data(), v.size()); }

/** Strict parse: even length, only [0-9a-fA-F]; std::nullopt otherwise. */
std::optional<std::vector<uint8_t>> ParseHex(std::string_view hex);
bool IsHex(std::string_view hex);

#endif // ODA_HEX_H
