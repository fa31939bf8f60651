// Entry point of test_oda: Boost.Test provides main().
#define BOOST_TEST_DYN_LINK
#define BOOST_TEST_MODULE ODA unit tests
#include <boost/test/unit_test.hpp>
