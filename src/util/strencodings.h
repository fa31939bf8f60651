// String formatting, strict number parsing, trimming/splitting and money formatting.
//
// Contract: every parser here is strict. It accepts exactly the documented syntax and
// reports anything else (junk, overflow, empty input) as failure instead of guessing,
// because the inputs come from users (command line, config, RPC). Nothing here allocates
// without bound beyond the size of its input.
#ifndef ODA_UTIL_STRENCODINGS_H
#define ODA_UTIL_STRENCODINGS_H

#include <cstdarg>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/** printf-style formatting into a std::string (format checked by the compiler). */
std::string strprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
/** va_list variant of strprintf. */
std::string vstrprintf(const char* fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/** Strict decimal integer parsing: optional leading '-' (signed) or '+', digits only, no
 *  whitespace, no overflow. On failure returns false and leaves *out untouched. out may be
 *  nullptr to only validate. */
bool ParseInt32(std::string_view str, int32_t* out);
bool ParseInt64(std::string_view str, int64_t* out);
bool ParseUInt16(std::string_view str, uint16_t* out);
bool ParseUInt32(std::string_view str, uint32_t* out);
bool ParseUInt64(std::string_view str, uint64_t* out);

/** Lenient leading-integer parse as atoi does (used only for option values, like Bitcoin
 *  Core): leading whitespace skipped, stops at the first non-digit, 0 if none, saturates. */
int64_t LocaleIndependentAtoi64(std::string_view str);

/** Whitespace set used by the trimming functions. */
inline constexpr std::string_view WHITESPACE_CHARS{" \f\n\r\t\v"};

std::string_view TrimStringView(std::string_view str, std::string_view pattern = WHITESPACE_CHARS);
inline std::string TrimString(std::string_view str, std::string_view pattern = WHITESPACE_CHARS)
{
    return std::string(TrimStringView(str, pattern));
}

/** Split at every occurrence of any character of separators. "a,,b" -> {"a","","b"}; "" -> {""}. */
std::vector<std::string> SplitString(std::string_view str, std::string_view separators);
inline std::vector<std::string> SplitString(std::string_view str, char sep)
{
    return SplitString(str, std::string_view(&sep, 1));
}

/** Join with a separator. */
std::string Join(const std::vector<std::string>& parts, std::string_view separator);

/** ASCII-only case conversion (locale independent). */
std::string ToLower(std::string_view str);
std::string ToUpper(std::string_view str);

/** True when str starts/ends with the given prefix/suffix. */
inline bool HasPrefix(std::string_view str, std::string_view prefix) { return str.substr(0, prefix.size()) == prefix; }
inline bool HasSuffix(std::string_view str, std::string_view suffix)
{
    return str.size() >= suffix.size() && str.substr(str.size() - suffix.size()) == suffix;
}

/** Units per coin (1 coin = 10^8 base units). */
inline constexpr int64_t COIN_UNITS = 100000000;
/** Largest amount any money parser accepts: 21e6 coins (above the ODA money supply). */
inline constexpr int64_t MAX_MONEY_UNITS = 21000000 * COIN_UNITS;

/** Exact decimal fixed-point parse: "[-]digits[.digits][e[+-]digits]" -> value * 10^decimals
 *  as an integer. Fails (nullopt) when more significant decimals than `decimals` remain, on
 *  junk, or when |result| >= 10^18. No floating point is involved. */
std::optional<int64_t> ParseFixedPoint(std::string_view str, int decimals);

/** Money string in coins ("1", "0.5", "12.34567890", surrounding spaces allowed) -> base
 *  units. Fails on negative values, more than 8 decimals, exponents, junk, or > MAX_MONEY_UNITS. */
std::optional<int64_t> ParseMoney(std::string_view str);

/** Base units -> coins with exactly 8 decimals ("-0.00000001", "50.00000000"). */
std::string FormatMoney(int64_t units);

/** Printable-ASCII filter for log lines and error messages built from untrusted strings:
 *  keeps [0x20,0x7e] and replaces anything else with '?'. Truncates to max_len. */
std::string SanitizeString(std::string_view str, size_t max_len = 1024);

/** Standard base64 (RFC 4648, with padding). DecodeBase64 is strict: nullopt on bad input. */
std::string EncodeBase64(std::string_view data);
std::optional<std::string> DecodeBase64(std::string_view b64);

/** Constant-time equality for secrets (passwords, cookies): the running time depends only on
 *  the lengths, never on where the first difference is. */
bool TimingResistantEqual(std::string_view a, std::string_view b);

#endif // ODA_UTIL_STRENCODINGS_H
