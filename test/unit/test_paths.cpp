#include "test_paths.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace scap_test {

std::string captures_dir() {
    // Chosen at configure time (test/CMakeLists.txt): beside the checkout, or beside a worktree's
    // parent.
    return std::filesystem::path(SCAP_CAPTURES_DIR).lexically_normal().string();
}

std::string capture(const std::string& name) {
    return captures_dir() + "/" + name;
}

std::vector<std::string> shared_captures() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(captures_dir(), ec)) {
        const std::string p = e.path().string();
        const auto ends_with = [&](std::string_view tail) {
            return p.size() > tail.size() && p.compare(p.size() - tail.size(), tail.size(), tail) == 0;
        };
        if (ends_with(".scap") || ends_with(".scap.gz")) out.push_back(p);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string temp_dir(const std::string& test_name) {
    // Per process: ctest runs tests in parallel, each in its own process.
    auto dir =
        std::filesystem::temp_directory_path() / ("scap_test_" + test_name + "_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir.string();
}

}  // namespace scap_test
