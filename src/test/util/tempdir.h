// A unique temporary directory for one test, removed when it goes out of scope.
#ifndef ODA_TEST_UTIL_TEMPDIR_H
#define ODA_TEST_UTIL_TEMPDIR_H

#include <filesystem>
#include <random>
#include <string>

class TempDir
{
    std::filesystem::path m_path;

public:
    explicit TempDir(const std::string& name)
    {
        std::random_device rd;
        m_path = std::filesystem::temp_directory_path() /
                 ("oda_test_" + name + "_" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(m_path);
    }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string Path(const std::string& sub = "") const { return sub.empty() ? m_path.string() : (m_path / sub).string(); }
};

#endif // ODA_TEST_UTIL_TEMPDIR_H
