// Fuzz targets: functions of untrusted bytes that must never crash, hang or
// allocate without bound, and that abort() when an invariant they check fails.
//
// ODA_FUZZ_TARGET(name) { ... uses data, size ... } registers a target. The same
// targets are linked into two programs: the libFuzzer binary test/fuzz/fuzz
// (./configure --enable-fuzz CXX=clang++; FUZZ=name ./test/fuzz/fuzz corpus/)
// and test_oda, whose fuzz_smoke_tests run every target over its seed inputs and
// mutations of them, so a normal `make check` covers the targets too.
#ifndef ODA_TEST_FUZZ_FUZZ_H
#define ODA_TEST_FUZZ_FUZZ_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace oda::fuzz {

using TargetFunction = void (*)(const uint8_t* data, size_t size);
using SeedFunction = std::vector<std::vector<uint8_t>> (*)();

struct Target {
    TargetFunction run{nullptr};
    SeedFunction seeds{nullptr};  //!< valid example inputs (may be null)
};

/** Name -> target, filled by static registrars. */
std::map<std::string, Target>& Targets();

struct TargetRegistrar {
    TargetRegistrar(const char* name, TargetFunction run, SeedFunction seeds) { Targets()[name] = Target{run, seeds}; }
};

/** Aborts (a finding for libFuzzer, a crash for the smoke test) when cond is false. */
void Assert(bool cond, const char* what);

} // namespace oda::fuzz

#define ODA_FUZZ_TARGET_SEEDS(name, seeds)                                                          \
    static void fuzz_target_##name(const uint8_t* data, size_t size);                             \
    static ::oda::fuzz::TargetRegistrar g_fuzz_registrar_##name(#name, fuzz_target_##name, seeds); \
    static void fuzz_target_##name(const uint8_t* data, size_t size)

#define ODA_FUZZ_TARGET(name) ODA_FUZZ_TARGET_SEEDS(name, nullptr)

#endif // ODA_TEST_FUZZ_FUZZ_H
