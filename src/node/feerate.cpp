#include <node/feerate.h>

#include <cstdio>

std::string CFeeRate::ToString() const
{
    CAmount v = m_per_kvb;
    bool neg = v < 0;
    uint64_t abs = neg ? uint64_t(0) - uint64_t(v) : uint64_t(v);
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%s%llu.%08llu ODA/kvB", neg ? "-" : "",
                  (unsigned long long)(abs / 100000000), (unsigned long long)(abs % 100000000));
    return buf;
}
