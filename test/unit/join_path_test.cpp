// join_path: the folded path of base + name, on its fast path (plain components, concatenated)
// and its component walk, checked against a normalizer written here from the definition.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "state/helpers.h"

namespace {

// The definition, spelled out: components of base (unless name is absolute) then of name; empty
// and "." dropped, ".." drops the previous one (none at the root); "/" joins; empty is "/".
std::string normalized(const std::string& base, const std::string& name) {
    std::vector<std::string> parts;
    auto take = [&parts](const std::string& s) {
        size_t i = 0;
        while (i <= s.size()) {
            size_t j = s.find('/', i);
            if (j == std::string::npos) j = s.size();
            const std::string c = s.substr(i, j - i);
            i = j + 1;
            if (c.empty() || c == ".") continue;
            if (c == "..") {
                if (!parts.empty()) parts.pop_back();
                continue;
            }
            parts.push_back(c);
        }
    };
    if (name.empty() || name[0] != '/') take(base);
    take(name);
    std::string out;
    for (const auto& p : parts) out += "/" + p;
    return out.empty() ? "/" : out;
}

TEST(JoinPath, PlainNamesAreConcatenated) {
    EXPECT_EQ(sinsp::join_path("/home/u", "/etc/passwd"), "/etc/passwd");
    EXPECT_EQ(sinsp::join_path("/home/u", "notes.txt"), "/home/u/notes.txt");
    EXPECT_EQ(sinsp::join_path("/", "tmp/x"), "/tmp/x");
    EXPECT_EQ(sinsp::join_path("", "tmp"), "/tmp");
    EXPECT_EQ(sinsp::join_path("/a", "/"), "/");
    // Names that look special but are plain components.
    EXPECT_EQ(sinsp::join_path("/a", ".bashrc"), "/a/.bashrc");
    EXPECT_EQ(sinsp::join_path("/a", "...x/..y"), "/a/...x/..y");
}

TEST(JoinPath, FoldsWhatIsNotPlain) {
    EXPECT_EQ(sinsp::join_path("/a/b", "../c"), "/a/c");
    EXPECT_EQ(sinsp::join_path("/a/b", "./c/"), "/a/b/c");
    EXPECT_EQ(sinsp::join_path("/a//b/", "c"), "/a/b/c");
    EXPECT_EQ(sinsp::join_path("/x", "//etc///passwd"), "/etc/passwd");
    EXPECT_EQ(sinsp::join_path("/x", "/etc/."), "/etc");
    EXPECT_EQ(sinsp::join_path("/x", "/.."), "/");
    EXPECT_EQ(sinsp::join_path("/a/b", ""), "/a/b");
    EXPECT_EQ(sinsp::join_path("rel/base", "c"), "/rel/base/c");
}

TEST(JoinPath, EqualsTheDefinitionOnRandomPaths) {
    // Short random paths over an alphabet rich in slashes and dots reach every branch of both
    // paths (plain and folded), and the rare plain ones with dots in names too.
    std::mt19937 rng(12345);
    const char alphabet[] = {'/', '/', '.', '.', 'a', 'b'};
    auto random_path = [&] {
        std::string s;
        const size_t n = rng() % 9;
        for (size_t i = 0; i < n; ++i) s += alphabet[rng() % sizeof(alphabet)];
        return s;
    };
    size_t plain = 0;
    for (int i = 0; i < 200000; ++i) {
        const std::string base = random_path();
        const std::string name = random_path();
        const std::string got = sinsp::join_path(base, name);
        ASSERT_EQ(got, normalized(base, name)) << "base '" << base << "' name '" << name << "'";
        if (got == name || got == base + "/" + name) ++plain;
    }
    EXPECT_GT(plain, 1000u);  // the fast path's shapes were among them
}

TEST(JoinPath, EqualsTheDefinitionOnLongRandomPaths) {
    // Paths as long as real ones, mostly letters, so the eight-bytes-at-a-time search for "//"
    // and "/." sees its pairs at every position of a word and across word boundaries.
    std::mt19937 rng(54321);
    const char alphabet[] = {'/', '/', '.', 'a', 'b', 'c', 'd', 'e', 'f', 'g'};
    auto random_path = [&] {
        std::string s;
        const size_t n = rng() % 48;
        for (size_t i = 0; i < n; ++i) s += alphabet[rng() % sizeof(alphabet)];
        return s;
    };
    size_t plain = 0, folded = 0;
    for (int i = 0; i < 200000; ++i) {
        const std::string base = random_path();
        const std::string name = random_path();
        const std::string got = sinsp::join_path(base, name);
        ASSERT_EQ(got, normalized(base, name)) << "base '" << base << "' name '" << name << "'";
        if (got == name || got == base + "/" + name)
            ++plain;
        else
            ++folded;
    }
    EXPECT_GT(plain, 1000u);
    EXPECT_GT(folded, 1000u);
}

}  // namespace
