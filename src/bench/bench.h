// bench_oda: a registry of named benchmarks and a runner that reports medians.
//
// A benchmark is a function that receives a Bench and calls Bench::Measure for
// each thing it times (several measurements may share one setup, so peers such
// as "our engine" and "libtorch float32" run in the same process, back to back),
// then Bench::Ratio to print throughput ratios between them. Register with
// ODA_BENCHMARK(name, function). Timings are never asserted anywhere.
#ifndef ODA_BENCH_BENCH_H
#define ODA_BENCH_BENCH_H

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace oda::bench {

struct Measurement {
    std::string name;
    double median_seconds{0};       //!< median process CPU time of one run of the body
    double median_wall_seconds{0};  //!< median wall time of one run (shown for reference)
    double units_per_run{0};   //!< work done by one run (e.g. multiply-accumulates)
    std::string unit;          //!< e.g. "MAC"
    int runs{0};

    double Throughput() const { return median_seconds > 0 ? units_per_run / median_seconds : 0; }
};

class Bench
{
public:
    explicit Bench(double min_seconds_per_measurement) : m_min_seconds(min_seconds_per_measurement) {}

    /** Times body() repeatedly (at least 5 runs and min_seconds of work) and prints
     *  the median CPU and wall time per run and units_per_run / median CPU time as
     *  throughput (CPU time, because the benchmarks are single-threaded and the
     *  machine may be shared). */
    const Measurement& Measure(const std::string& name, double units_per_run, const std::string& unit,
                               const std::function<void()>& body);
    /** Prints throughput(numerator) / throughput(denominator) for two measured names. */
    void Ratio(const std::string& numerator, const std::string& denominator);
    /** Free-form note printed with the results (e.g. the configuration). */
    void Note(const std::string& text);

    const std::vector<Measurement>& Results() const { return m_results; }
    /** The -min-time given to the runner (for benchmarks that time runs themselves). */
    double MinSeconds() const { return m_min_seconds; }

private:
    double m_min_seconds;
    std::vector<Measurement> m_results;
};

using BenchFunction = std::function<void(Bench&)>;

/** Name -> benchmark. Filled by ODA_BENCHMARK's static registrars before main runs. */
std::map<std::string, BenchFunction>& Registry();

struct Registrar {
    Registrar(const std::string& name, BenchFunction fn) { Registry().emplace(name, std::move(fn)); }
};

#define ODA_BENCHMARK(name, fn) static ::oda::bench::Registrar g_bench_registrar_##name(#name, fn)

/** Formats a quantity with an SI prefix: 1.23e10 -> "12.30 G". */
std::string Si(double value);

} // namespace oda::bench

#endif // ODA_BENCH_BENCH_H
