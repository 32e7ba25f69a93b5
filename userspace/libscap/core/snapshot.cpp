#include "scap/snapshot.h"

namespace scap {

std::vector<std::string> process_info::arg_list() const {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < args.size()) {
        size_t end = args.find('\0', start);
        if (end == std::string::npos) end = args.size();
        out.emplace_back(args, start, end - start);
        start = end + 1;
    }
    return out;
}

process_info* snapshot::find_process(uint64_t tid) {
    auto it = m_index.find(tid);
    return it == m_index.end() ? nullptr : &processes[it->second];
}

const process_info* snapshot::find_process(uint64_t tid) const {
    auto it = m_index.find(tid);
    return it == m_index.end() ? nullptr : &processes[it->second];
}

process_info& snapshot::upsert_process(process_info p) {
    auto it = m_index.find(p.tid);
    if (it != m_index.end()) {
        process_info& existing = processes[it->second];
        p.fds = std::move(existing.fds);
        existing = std::move(p);
        return existing;
    }
    m_index.emplace(p.tid, processes.size());
    processes.push_back(std::move(p));
    return processes.back();
}

void snapshot::reserve_processes(size_t n) {
    processes.reserve(n);
    m_index.reserve(n);
}

size_t snapshot::fd_count() const {
    size_t n = 0;
    for (const auto& p : processes) n += p.fds.size();
    return n;
}

bool snapshot_store::begin_fds(uint64_t tid) {
    m_owner = m_snap.find_process(tid);
    if (m_owner) return true;
    process_info bare;
    bare.tid = tid;
    m_owner = &m_snap.upsert_process(std::move(bare));
    return false;
}

void snapshot::release_processes() {
    std::vector<process_info>().swap(processes);
    std::unordered_map<uint64_t, size_t>().swap(m_index);
}

}  // namespace scap
