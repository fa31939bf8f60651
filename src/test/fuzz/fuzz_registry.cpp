#include <test/fuzz/fuzz.h>

#include <cstdio>
#include <cstdlib>

namespace oda::fuzz {

std::map<std::string, Target>& Targets()
{
    static std::map<std::string, Target> targets;
    return targets;
}

void Assert(bool cond, const char* what)
{
    if (cond) return;
    std::fprintf(stderr, "fuzz invariant failed: %s\n", what);
    std::abort();
}

} // namespace oda::fuzz
