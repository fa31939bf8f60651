#include <util/strencodings.h>

#include <cstdio>
#include <limits>
#include <type_traits>

std::string vstrprintf(const char* fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    char small[256];
    int n = std::vsnprintf(small, sizeof(small), fmt, copy);
    va_end(copy);
    if (n < 0) return std::string("<format error: ") + fmt + ">";
    if (static_cast<size_t>(n) < sizeof(small)) return std::string(small, n);
    std::string out(static_cast<size_t>(n) + 1, '\0');
    va_copy(copy, ap);
    std::vsnprintf(out.data(), out.size(), fmt, copy);
    va_end(copy);
    out.resize(n);
    return out;
}

std::string strprintf(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    std::string s = vstrprintf(fmt, ap);
    va_end(ap);
    return s;
}

namespace {
// Parses digits with overflow checks into T. Signed types accept a leading '-'.
template <typename T>
bool ParseIntegral(std::string_view str, T* out)
{
    static_assert(std::is_integral_v<T>);
    if (str.empty()) return false;
    bool negative = false;
    size_t i = 0;
    if (str[0] == '-' || str[0] == '+') {
        negative = str[0] == '-';
        if (negative && !std::is_signed_v<T>) return false;
        i = 1;
        if (str.size() == 1) return false;
    }
    T value = 0;
    for (; i < str.size(); ++i) {
        char c = str[i];
        if (c < '0' || c > '9') return false;
        T digit = static_cast<T>(c - '0');
        if (negative) {
            if (value < (std::numeric_limits<T>::min() + digit) / 10) return false;
            value = static_cast<T>(value * 10 - digit);
        } else {
            if (value > (std::numeric_limits<T>::max() - digit) / 10) return false;
            value = static_cast<T>(value * 10 + digit);
        }
    }
    if (out) *out = value;
    return true;
}
} // namespace

bool ParseInt32(std::string_view str, int32_t* out) { return ParseIntegral(str, out); }
bool ParseInt64(std::string_view str, int64_t* out) { return ParseIntegral(str, out); }
bool ParseUInt16(std::string_view str, uint16_t* out) { return ParseIntegral(str, out); }
bool ParseUInt32(std::string_view str, uint32_t* out) { return ParseIntegral(str, out); }
bool ParseUInt64(std::string_view str, uint64_t* out) { return ParseIntegral(str, out); }

int64_t LocaleIndependentAtoi64(std::string_view str)
{
    str = TrimStringView(str);
    size_t i = 0;
    bool negative = false;
    if (i < str.size() && (str[i] == '-' || str[i] == '+')) negative = str[i++] == '-';
    int64_t value = 0;
    for (; i < str.size() && str[i] >= '0' && str[i] <= '9'; ++i) {
        int digit = str[i] - '0';
        if (negative) {
            if (value < (std::numeric_limits<int64_t>::min() + digit) / 10) return std::numeric_limits<int64_t>::min();
            value = value * 10 - digit;
        } else {
            if (value > (std::numeric_limits<int64_t>::max() - digit) / 10) return std::numeric_limits<int64_t>::max();
            value = value * 10 + digit;
        }
    }
    return value;
}

std::string_view TrimStringView(std::string_view str, std::string_view pattern)
{
    size_t front = str.find_first_not_of(pattern);
    if (front == std::string_view::npos) return {};
    size_t end = str.find_last_not_of(pattern);
    return str.substr(front, end - front + 1);
}

std::vector<std::string> SplitString(std::string_view str, std::string_view separators)
{
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        size_t pos = str.find_first_of(separators, start);
        if (pos == std::string_view::npos) {
            parts.emplace_back(str.substr(start));
            return parts;
        }
        parts.emplace_back(str.substr(start, pos - start));
        start = pos + 1;
    }
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator)
{
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i) out += separator;
        out += parts[i];
    }
    return out;
}

std::string ToLower(std::string_view str)
{
    std::string out(str);
    for (char& c : out) if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string ToUpper(std::string_view str)
{
    std::string out(str);
    for (char& c : out) if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

std::optional<int64_t> ParseFixedPoint(std::string_view str, int decimals)
{
    // Digits are collected as a decimal mantissa with a decimal exponent; the result is
    // mantissa * 10^(exponent + decimals), which must be an integer below 10^18.
    constexpr int64_t LIMIT = 1000000000000000000LL; // 10^18
    if (decimals < 0 || decimals > 18 || str.empty()) return std::nullopt;
    size_t i = 0;
    bool negative = false;
    if (str[0] == '-') {
        negative = true;
        i = 1;
    }
    int64_t mantissa = 0;
    int64_t exponent = 0;
    bool any_digit = false;
    // Leading-zero-insensitive: count significant digits only while they fit.
    auto add_digit = [&](int d) -> bool {
        if (mantissa > (LIMIT - 1 - d) / 10) return false;
        mantissa = mantissa * 10 + d;
        return true;
    };
    // Integer part: no leading zeros except a single "0" (JSON number grammar).
    if (i < str.size() && str[i] == '0') {
        any_digit = true;
        ++i;
    } else {
        while (i < str.size() && str[i] >= '0' && str[i] <= '9') {
            any_digit = true;
            if (!add_digit(str[i] - '0')) return std::nullopt;
            ++i;
        }
    }
    if (!any_digit) return std::nullopt;
    if (i < str.size() && str[i] == '.') {
        ++i;
        bool frac_digit = false;
        while (i < str.size() && str[i] >= '0' && str[i] <= '9') {
            frac_digit = true;
            if (!add_digit(str[i] - '0')) return std::nullopt;
            --exponent;
            ++i;
        }
        if (!frac_digit) return std::nullopt;
    }
    if (i < str.size() && (str[i] == 'e' || str[i] == 'E')) {
        ++i;
        bool exp_negative = false;
        if (i < str.size() && (str[i] == '+' || str[i] == '-')) exp_negative = str[i++] == '-';
        int64_t e = 0;
        bool exp_digit = false;
        while (i < str.size() && str[i] >= '0' && str[i] <= '9') {
            exp_digit = true;
            if (e > 10000) return std::nullopt;
            e = e * 10 + (str[i] - '0');
            ++i;
        }
        if (!exp_digit) return std::nullopt;
        exponent += exp_negative ? -e : e;
    }
    if (i != str.size()) return std::nullopt;
    int64_t scale = exponent + decimals;
    // Drop trailing zeros of the mantissa while the scale is negative (0.10 with 1 decimal).
    while (scale < 0 && mantissa != 0 && mantissa % 10 == 0) {
        mantissa /= 10;
        ++scale;
    }
    if (scale < 0) {
        if (mantissa != 0) return std::nullopt; // more decimals than allowed
        scale = 0;
    }
    for (int64_t k = 0; k < scale; ++k) {
        if (mantissa == 0) break;
        if (mantissa > (LIMIT - 1) / 10) return std::nullopt;
        mantissa *= 10;
    }
    return negative ? -mantissa : mantissa;
}

std::optional<int64_t> ParseMoney(std::string_view str)
{
    std::string_view s = TrimStringView(str);
    if (s.empty() || s[0] == '-') return std::nullopt;
    // Plain decimal only: digits, optional fraction of at most 8 digits.
    size_t dot = s.find('.');
    std::string_view whole = s.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
    if (whole.empty() && frac.empty()) return std::nullopt;
    if (dot != std::string_view::npos && frac.empty()) return std::nullopt;
    if (frac.size() > 8 || whole.size() > 10) return std::nullopt;
    for (char c : whole) if (c < '0' || c > '9') return std::nullopt;
    for (char c : frac) if (c < '0' || c > '9') return std::nullopt;
    int64_t units = 0;
    for (char c : whole) units = units * 10 + (c - '0');
    int64_t frac_units = 0;
    for (size_t k = 0; k < 8; ++k) frac_units = frac_units * 10 + (k < frac.size() ? frac[k] - '0' : 0);
    if (units > MAX_MONEY_UNITS / COIN_UNITS) return std::nullopt;
    units = units * COIN_UNITS + frac_units;
    if (units > MAX_MONEY_UNITS) return std::nullopt;
    return units;
}

std::string FormatMoney(int64_t units)
{
    // Work on the magnitude as unsigned so INT64_MIN formats correctly.
    uint64_t mag = units < 0 ? uint64_t(0) - static_cast<uint64_t>(units) : static_cast<uint64_t>(units);
    return strprintf("%s%llu.%08llu", units < 0 ? "-" : "", static_cast<unsigned long long>(mag / COIN_UNITS),
                     static_cast<unsigned long long>(mag % COIN_UNITS));
}

std::string SanitizeString(std::string_view str, size_t max_len)
{
    std::string out;
    out.reserve(std::min(str.size(), max_len));
    for (char c : str) {
        if (out.size() >= max_len) break;
        out.push_back(c >= 0x20 && c <= 0x7e ? c : '?');
    }
    return out;
}

namespace {
constexpr char B64_CHARS[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
int B64Value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}
} // namespace

std::string EncodeBase64(std::string_view data)
{
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < data.size(); i += 3) {
        uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
        out += B64_CHARS[v >> 18];
        out += B64_CHARS[(v >> 12) & 63];
        out += B64_CHARS[(v >> 6) & 63];
        out += B64_CHARS[v & 63];
    }
    size_t rest = data.size() - i;
    if (rest == 1) {
        uint32_t v = uint8_t(data[i]) << 16;
        out += B64_CHARS[v >> 18];
        out += B64_CHARS[(v >> 12) & 63];
        out += "==";
    } else if (rest == 2) {
        uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8);
        out += B64_CHARS[v >> 18];
        out += B64_CHARS[(v >> 12) & 63];
        out += B64_CHARS[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

std::optional<std::string> DecodeBase64(std::string_view b64)
{
    if (b64.size() % 4 != 0) return std::nullopt;
    std::string out;
    out.reserve(b64.size() / 4 * 3);
    for (size_t i = 0; i < b64.size(); i += 4) {
        bool last = i + 4 == b64.size();
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; ++k) {
            char c = b64[i + k];
            if (c == '=' && last && k >= 2) {
                v[k] = 0;
                ++pad;
                continue;
            }
            if (pad) return std::nullopt; // data after padding
            v[k] = B64Value(c);
            if (v[k] < 0) return std::nullopt;
        }
        uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
        out += static_cast<char>(n >> 16);
        if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
        if (pad < 1) out += static_cast<char>(n & 0xff);
    }
    return out;
}

bool TimingResistantEqual(std::string_view a, std::string_view b)
{
    if (b.empty()) return a.empty();
    // Loop over a (the attacker-controlled string), compare with b cyclically.
    unsigned int diff = static_cast<unsigned int>(a.size() ^ b.size());
    for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i % b.size()]);
    return diff == 0;
}
