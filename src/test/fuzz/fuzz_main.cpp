// libFuzzer entry point: FUZZ=<target> selects one registered target.
// FUZZ_WRITE_SEEDS=<dir> writes the target's seed inputs into <dir> (one file each,
// a starting corpus) and exits.
#include <test/fuzz/fuzz.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

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
    if (const char* dir = std::getenv("FUZZ_WRITE_SEEDS")) {
        const auto seeds = it->second.seeds ? it->second.seeds() : std::vector<std::vector<uint8_t>>{};
        for (size_t i = 0; i < seeds.size(); ++i) {
            const std::string path = std::string(dir) + "/seed" + std::to_string(i);
            FILE* f = std::fopen(path.c_str(), "wb");
            if (!f) {
                std::fprintf(stderr, "cannot write %s\n", path.c_str());
                std::exit(1);
            }
            std::fwrite(seeds[i].data(), 1, seeds[i].size(), f);
            std::fclose(f);
        }
        std::fprintf(stderr, "wrote %zu seeds to %s\n", seeds.size(), dir);
        std::exit(0);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    g_target(data, size);
    return 0;
}
