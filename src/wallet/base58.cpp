#include <wallet/base58.h>

#include <crypto/hash.h>

#include <algorithm>
#include <cstring>

namespace {
const char* const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

int DigitOf(char c)
{
    const char* p = std::strchr(ALPHABET, c);
    if (c == '\0' || p == nullptr) return -1;
    return static_cast<int>(p - ALPHABET);
}
} // namespace

std::string EncodeBase58(const std::vector<uint8_t>& data)
{
    size_t zeros = 0;
    while (zeros < data.size() && data[zeros] == 0) ++zeros;
    // Big-endian base-58 digits of the number, built by repeated multiply-add.
    std::vector<uint8_t> digits; // little-endian base 58
    for (size_t i = zeros; i < data.size(); ++i) {
        int carry = data[i];
        for (uint8_t& d : digits) {
            carry += 256 * d;
            d = carry % 58;
            carry /= 58;
        }
        while (carry > 0) {
            digits.push_back(carry % 58);
            carry /= 58;
        }
    }
    std::string out(zeros, '1');
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(ALPHABET[*it]);
    return out;
}

std::optional<std::vector<uint8_t>> DecodeBase58(const std::string& str, size_t max_len)
{
    size_t ones = 0;
    while (ones < str.size() && str[ones] == '1') ++ones;
    if (ones > max_len) return std::nullopt;
    std::vector<uint8_t> bytes; // little-endian base 256
    for (size_t i = ones; i < str.size(); ++i) {
        int carry = DigitOf(str[i]);
        if (carry < 0) return std::nullopt;
        for (uint8_t& b : bytes) {
            carry += 58 * b;
            b = carry & 0xff;
            carry >>= 8;
        }
        while (carry > 0) {
            bytes.push_back(carry & 0xff);
            carry >>= 8;
        }
        if (ones + bytes.size() > max_len) return std::nullopt;
    }
    std::vector<uint8_t> out(ones, 0);
    out.insert(out.end(), bytes.rbegin(), bytes.rend());
    return out;
}

std::string EncodeBase58Check(const std::vector<uint8_t>& data)
{
    std::vector<uint8_t> buf = data;
    const uint256 h = Hash256(data);
    buf.insert(buf.end(), h.begin(), h.begin() + 4);
    return EncodeBase58(buf);
}

std::optional<std::vector<uint8_t>> DecodeBase58Check(const std::string& str, size_t max_payload_len)
{
    auto raw = DecodeBase58(str, max_payload_len + 4);
    if (!raw || raw->size() < 4) return std::nullopt;
    std::vector<uint8_t> payload(raw->begin(), raw->end() - 4);
    const uint256 h = Hash256(payload);
    if (!std::equal(h.begin(), h.begin() + 4, raw->end() - 4)) return std::nullopt;
    return payload;
}
