#include <bench/bench.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace oda::bench {

/** CPU time of the whole process (all threads): unlike wall time it does not count
 *  the time other programs on a shared machine take the core away. */
static double ProcessCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::map<std::string, BenchFunction>& Registry()
{
    static std::map<std::string, BenchFunction> registry;
    return registry;
}

std::string Si(double value)
{
    const char* prefixes[] = {"", "k", "M", "G", "T"};
    int i = 0;
    while (value >= 1000 && i < 4) {
        value /= 1000;
        ++i;
    }
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.2f %s", value, prefixes[i]);
    return buf;
}

const Measurement& Bench::Measure(const std::string& name, double units_per_run, const std::string& unit,
                                  const std::function<void()>& body)
{
    using clock = std::chrono::steady_clock;
    body();  // warm-up: caches, lazy initialisation, allocator
    std::vector<double> wall, cpu;
    double total = 0;
    while (wall.size() < 5 || (total < m_min_seconds && wall.size() < 100000)) {
        const auto start = clock::now();
        const double cpu_start = ProcessCpuSeconds();
        body();
        cpu.push_back(ProcessCpuSeconds() - cpu_start);
        const double t = std::chrono::duration<double>(clock::now() - start).count();
        wall.push_back(t);
        total += t;
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    Measurement m;
    m.name = name;
    m.median_seconds = cpu[cpu.size() / 2];
    m.median_wall_seconds = wall[wall.size() / 2];
    m.units_per_run = units_per_run;
    m.unit = unit;
    m.runs = static_cast<int>(wall.size());
    std::printf("  %-40s cpu %9.3f ms  wall %9.3f ms  %12s%s/s  (%d runs)\n", name.c_str(), m.median_seconds * 1e3,
                m.median_wall_seconds * 1e3, Si(m.Throughput()).c_str(), unit.c_str(), m.runs);
    std::fflush(stdout);
    m_results.push_back(m);
    return m_results.back();
}

void Bench::Ratio(const std::string& numerator, const std::string& denominator)
{
    const Measurement* a = nullptr;
    const Measurement* b = nullptr;
    for (const auto& m : m_results) {
        if (m.name == numerator) a = &m;
        if (m.name == denominator) b = &m;
    }
    if (!a || !b || b->Throughput() == 0) return;
    std::printf("  ratio %s / %s = %.2fx\n", numerator.c_str(), denominator.c_str(), a->Throughput() / b->Throughput());
    std::fflush(stdout);
}

void Bench::Note(const std::string& text)
{
    std::printf("  note: %s\n", text.c_str());
    std::fflush(stdout);
}

} // namespace oda::bench
