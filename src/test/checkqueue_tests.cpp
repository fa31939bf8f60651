#include <node/checkqueue.h>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <random>
#include <set>

using node::CheckQueue;

BOOST_AUTO_TEST_SUITE(checkqueue_tests)

namespace {

/** A check whose result is fixed in advance and which counts its calls. */
struct FakeCheck {
    bool result{true};
    std::atomic<int>* calls{nullptr};
    bool operator()() const
    {
        if (calls) ++*calls;
        return result;
    }
};

std::optional<size_t> Serial(const std::vector<FakeCheck>& checks)
{
    for (size_t i = 0; i < checks.size(); ++i) {
        if (!checks[i]()) return i;
    }
    return std::nullopt;
}

} // namespace

BOOST_AUTO_TEST_CASE(all_pass_runs_every_check_once)
{
    for (int threads : {0, 1, 3}) {
        CheckQueue<FakeCheck> queue(threads);
        std::atomic<int> calls{0};
        std::vector<FakeCheck> checks(1000, FakeCheck{true, &calls});
        BOOST_CHECK(!queue.Run(checks).has_value());
        BOOST_CHECK_EQUAL(calls.load(), 1000);
    }
}

BOOST_AUTO_TEST_CASE(parallel_equals_serial_with_failures)
{
    std::mt19937 rng(42);
    CheckQueue<FakeCheck> queue(3);
    for (int round = 0; round < 200; ++round) {
        size_t n = rng() % 500;
        std::vector<FakeCheck> checks(n);
        // 0, 1 or several failing inputs at random positions.
        int fails = rng() % 3;
        for (int f = 0; f < fails && n > 0; ++f) checks[rng() % n].result = false;
        BOOST_CHECK(queue.Run(checks) == Serial(checks));
    }
}

BOOST_AUTO_TEST_CASE(throwing_check_counts_as_failure)
{
    struct Thrower {
        int i;
        bool operator()() const
        {
            if (i == 37) throw std::runtime_error("boom");
            return true;
        }
    };
    CheckQueue<Thrower> queue(2);
    std::vector<Thrower> checks;
    for (int i = 0; i < 100; ++i) checks.push_back(Thrower{i});
    auto r = queue.Run(checks);
    BOOST_REQUIRE(r.has_value());
    BOOST_CHECK_EQUAL(*r, 37U);
}

BOOST_AUTO_TEST_SUITE_END()
