// Shared helpers for unit tests: test-data paths and hex literals.
#ifndef ODA_TEST_UTIL_SETUP_H
#define ODA_TEST_UTIL_SETUP_H

#include <hex.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

/** Absolute path of a file under src/test/data. */
inline std::string TestDataPath(const std::string& name)
{
    return std::string(ODA_TEST_DATA_DIR) + "/" + name;
}

/** Whole contents of a file under src/test/data. */
inline std::string ReadTestData(const std::string& name)
{
    std::ifstream in(TestDataPath(name), std::ios::binary);
    if (!in) throw std::runtime_error("missing test data file " + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/** Hex literal to bytes; throws on bad hex so a typo fails the test loudly. */
inline std::vector<uint8_t> FromHex(const std::string& hex)
{
    auto v = ParseHex(hex);
    if (!v) throw std::runtime_error("bad hex in test: " + hex);
    return *v;
}

#endif // ODA_TEST_UTIL_SETUP_H
