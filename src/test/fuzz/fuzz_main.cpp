// libFuzzer entry point: FUZZ=<target> selects one registered target.
#include <test/fuzz/fuzz.h>

#include <cstdio>
#include <cstdlib>

static oda::fuzz::TargetFunction g_target = nullptr;

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    const char* name = std::getenv("FUZZ");
    if (!name) {
        std::fprintf(stderr, "set FUZZ to one of:\n");
        for (const auto& [n, t] : oda::fuzz::Targets()) std::fprintf(stderr, "  %s\n", n.c_str());
        std::exit(1);
    }
    const auto it = oda::fuzz::Targets().find(name);
    if (it == oda::fuzz::Targets().end()) {
        std::fprintf(stderr, "unknown fuzz target %s\n", name);
        std::exit(1);
    }
    g_target = it->second.run;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    g_target(data, size);
    return 0;
}
