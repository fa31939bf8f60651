// bench_oda [-filter=REGEX] [-min-time=SECONDS] [-list]: runs the registered
// benchmarks whose names match REGEX and prints medians and ratios.
#include <bench/bench.h>

#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>

int main(int argc, char** argv)
{
    std::string filter = ".*";
    double min_time = 0.5;
    bool list = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.rfind("-filter=", 0) == 0) {
            filter = arg.substr(8);
        } else if (arg.rfind("-min-time=", 0) == 0) {
            min_time = std::atof(arg.c_str() + 10);
        } else if (arg == "-list") {
            list = true;
        } else if (arg == "-h" || arg == "-help" || arg == "--help") {
            std::printf("usage: bench_oda [-filter=REGEX] [-min-time=SECONDS] [-list]\n");
            return 0;
        } else {
            std::fprintf(stderr, "bench_oda: unknown argument %s (try -help)\n", arg.c_str());
            return 1;
        }
    }
    std::regex re;
    try {
        re = std::regex(filter);
    } catch (const std::regex_error&) {
        std::fprintf(stderr, "bench_oda: bad -filter regular expression\n");
        return 1;
    }
    int ran = 0;
    for (const auto& [name, fn] : oda::bench::Registry()) {
        if (!std::regex_search(name, re)) continue;
        if (list) {
            std::printf("%s\n", name.c_str());
            continue;
        }
        std::printf("%s\n", name.c_str());
        oda::bench::Bench bench(min_time);
        fn(bench);
        ++ran;
    }
    if (!list && ran == 0) std::fprintf(stderr, "bench_oda: no benchmark matches %s\n", filter.c_str());
    return 0;
}
