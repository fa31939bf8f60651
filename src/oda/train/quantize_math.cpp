#include <oda/train/quantize_math.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace oda::train {

Requant QuantizeMultiplier(double m)
{
    if (!(m > 0.0) || !std::isfinite(m)) return Requant{};
    int exponent = 0;
    double q = std::frexp(m, &exponent); // m = q * 2^exponent, q in [0.5, 1)
    int64_t M = std::llround(q * 2147483648.0);
    if (M == (int64_t{1} << 31)) { // q rounded up to 1.0
        M /= 2;
        ++exponent;
    }
    if (exponent < MIN_SHIFT) return Requant{};
    if (exponent > MAX_SHIFT) return Requant{std::numeric_limits<int32_t>::max(), static_cast<int8_t>(MAX_SHIFT)};
    return Requant{static_cast<int32_t>(M), static_cast<int8_t>(exponent)};
}

double RequantToReal(const Requant& r)
{
    return std::ldexp(static_cast<double>(r.multiplier), r.shift - 31);
}

ActivationParams ChooseActivationParams(double lo, double hi)
{
    if (!std::isfinite(lo)) lo = 0.0;
    if (!std::isfinite(hi)) hi = 0.0;
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
    ActivationParams p;
    if (hi - lo <= 0.0) {
        p.scale = 1.0 / 255.0;
        p.zero_point = -128;
        return p;
    }
    p.scale = (hi - lo) / 255.0;
    double zp = std::round(-128.0 - lo / p.scale);
    p.zero_point = static_cast<int8_t>(std::clamp(zp, -128.0, 127.0));
    return p;
}

int8_t QuantizeValue(double x, const ActivationParams& p)
{
    double q = std::round(x / p.scale) + p.zero_point;
    if (!(q == q)) return p.zero_point;
    return static_cast<int8_t>(std::clamp(q, -128.0, 127.0));
}

double SymmetricScale(double max_abs)
{
    if (!(max_abs > 0.0) || !std::isfinite(max_abs)) return 1.0;
    return max_abs / 127.0;
}

int8_t QuantizeWeight(double x, double scale)
{
    double q = std::round(x / scale);
    if (!(q == q)) return 0;
    return static_cast<int8_t>(std::clamp(q, -127.0, 127.0));
}

int32_t QuantizeBias(double x, double scale, int64_t limit)
{
    double q = std::round(x / scale);
    if (!(q == q)) return 0;
    double l = static_cast<double>(std::min<int64_t>(limit, std::numeric_limits<int32_t>::max()));
    return static_cast<int32_t>(std::clamp(q, -l, l));
}

} // namespace oda::train
