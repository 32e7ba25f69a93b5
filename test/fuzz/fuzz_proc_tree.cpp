// Fuzzes the live snapshot reader on synthetic /proc and /etc trees. The input describes the
// tree as text, one entry per header line, contents up to the next header:
//
//   >proc/42/stat             a file; the lines that follow are its contents
//   >proc/42/fd/3 -> /data    a symlink (only where procfs has them: fd/, ns/, exe, cwd, root)
//
// The tree is written under a temporary directory and read with read_proc_snapshot.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "scap/proc_snapshot.h"

namespace fs = std::filesystem;

namespace {

const fs::path& tree_root() {
    static const fs::path root = [] {
        const char* tmp = std::getenv("TMPDIR");
        return fs::path(tmp ? tmp : "/tmp") / ("scap_fuzz_proc_tree." + std::to_string(getpid()));
    }();
    return root;
}

// Relative, no "..", not empty: the tree stays under its root.
bool safe(std::string_view path) {
    if (path.empty() || path.size() > 200 || path.front() == '/') return false;
    for (const auto& part : fs::path(path))
        if (part == "..") return false;
    return true;
}

// The places procfs itself holds symlinks; anywhere else the reader opens files, and a link to
// a device could make it read forever, which no real /proc does.
bool symlink_allowed(const fs::path& p) {
    const std::string dir = p.parent_path().filename().string();
    const std::string name = p.filename().string();
    return dir == "fd" || dir == "ns" || name == "exe" || name == "cwd" || name == "root";
}

void add_entry(std::string_view header, std::string_view contents) {
    const size_t arrow = header.find(" -> ");
    const std::string_view path = header.substr(0, arrow);
    if (!safe(path)) return;
    const fs::path p = tree_root() / path;
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (arrow != std::string_view::npos) {
        if (symlink_allowed(p)) fs::create_symlink(std::string(header.substr(arrow + 4)), p, ec);
        return;
    }
    std::ofstream(p, std::ios::binary).write(contents.data(), static_cast<std::streamsize>(contents.size()));
}

void write_tree(std::string_view text) {
    std::error_code ec;
    fs::remove_all(tree_root(), ec);
    fs::create_directories(tree_root() / "proc", ec);
    fs::create_directories(tree_root() / "etc", ec);
    size_t pos = text.find('>');
    while (pos != std::string_view::npos) {
        const size_t eol = text.find('\n', pos);
        const std::string_view header =
            text.substr(pos + 1, eol == std::string_view::npos ? eol : eol - pos - 1);
        const size_t body = eol == std::string_view::npos ? text.size() : eol + 1;
        const size_t next = text.find("\n>", body == 0 ? 0 : body - 1);
        const size_t end = next == std::string_view::npos ? text.size() : next + 1;
        add_entry(header, text.substr(body, end > body ? end - body : 0));
        pos = next == std::string_view::npos ? next : next + 1;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 64 * 1024) return 0;  // a tree, not a file system
    write_tree(std::string_view(reinterpret_cast<const char*>(data), size));
    scap::proc_snapshot_options opts;
    opts.proc_root = (tree_root() / "proc").string();
    opts.etc_root = (tree_root() / "etc").string();
    opts.read_interfaces = false;  // the machine's own interfaces: not input
    scap::snapshot snap;
    std::string error;
    scap::proc_snapshot_summary summary;
    if (scap::read_proc_snapshot(opts, snap, error, summary) != scap::status::ok && error.empty())
        __builtin_trap();  // a failure must say why
    return 0;
}
