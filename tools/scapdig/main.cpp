// scapdig: sysdig-style command line over libsinsp. Replays a capture (-r) or captures live,
// keeps the process/fd state, prints the events matching a filter in a chosen format (text or
// JSON), optionally writes them to a new capture, and ends with a summary on stderr.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "field_list.h"
#include "open_source.h"
#include "options.h"
#include "rules_mode.h"
#include "scap/savefile.h"
#include "scap/scap.h"
#include "scap/snapshot.h"
#include "sinsp/diagnostics_run.h"
#include "sinsp/dns_cache.h"
#include "sinsp/fields.h"
#include "sinsp/filter.h"
#include "sinsp/prefilter.h"
#include "sinsp/formatter.h"
#include "sinsp/inspector.h"
#include "state_summary.h"

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
void on_signal(int) {
    g_interrupted = 1;
}

struct counters {
    uint64_t read = 0, matched = 0, printed = 0, written = 0;
};

void print_summary(const sinsp::inspector& insp, const counters& c, double seconds, scap::dumper* writer,
                   size_t budget_bytes) {
    scap::engine_stats st;
    if (insp.engine()) insp.engine()->get_stats(st);
    const double rate = seconds > 0 ? static_cast<double>(c.read) / seconds : 0;
    std::fprintf(
        stderr,
        "scapdig: read %llu events, matched %llu, printed %llu, written %llu in %.3f s (%.2f M events/s)\n",
        static_cast<unsigned long long>(c.read), static_cast<unsigned long long>(c.matched),
        static_cast<unsigned long long>(c.printed), static_cast<unsigned long long>(c.written), seconds,
        rate / 1e6);
    std::fprintf(
        stderr,
        "scapdig: drops %llu (buffer full %llu, scratch space %llu, page faults %llu, driver bugs %llu)\n",
        static_cast<unsigned long long>(st.n_drops), static_cast<unsigned long long>(st.n_drops_buffer),
        static_cast<unsigned long long>(st.n_drops_scratch_map),
        static_cast<unsigned long long>(st.n_drops_page_faults),
        static_cast<unsigned long long>(st.n_drops_bug));
    // Not a loss: events the filter could not have matched, dropped in the kernel on purpose.
    if (st.n_prefiltered)
        std::fprintf(stderr, "scapdig: kernel pre-filtered %llu events (the filter could not match them)\n",
                     static_cast<unsigned long long>(st.n_prefiltered));
    const auto& s = insp.stats();
    std::fprintf(
        stderr,
        "scapdig: state: %zu threads (%llu created, %llu incomplete, %llu child-first, %llu removed, "
        "%llu evicted, %llu of them for the memory budget), %llu fds added, %llu parse errors\n",
        insp.threads().size(), static_cast<unsigned long long>(s.threads_created),
        static_cast<unsigned long long>(s.threads_incomplete),
        static_cast<unsigned long long>(s.threads_child_first),
        static_cast<unsigned long long>(s.threads_removed),
        static_cast<unsigned long long>(s.threads_evicted),
        static_cast<unsigned long long>(s.threads_evicted_for_memory),
        static_cast<unsigned long long>(s.fds_added), static_cast<unsigned long long>(s.parse_errors));
    scapdig::print_state_memory(s, budget_bytes);
    const sinsp::container_runtime_stats rt = insp.container_runtime();
    if (rt.requested) {
        std::fprintf(
            stderr,
            "scapdig: container runtime: %llu asked, %llu found, %llu unknown, %llu failed, %llu not "
            "asked (queue full)\n",
            static_cast<unsigned long long>(rt.requested), static_cast<unsigned long long>(rt.found),
            static_cast<unsigned long long>(rt.not_found), static_cast<unsigned long long>(rt.failed),
            static_cast<unsigned long long>(rt.refused_queue));
    }
    if (writer) {
        std::fprintf(stderr, "scapdig: wrote %llu events, %llu bytes\n",
                     static_cast<unsigned long long>(writer->events_written()),
                     static_cast<unsigned long long>(writer->bytes_written()));
    }
}

// Notes an engine adds while reading (a capture-file block of a type this reader does not know,
// skipped), each printed once as it appears.
void print_new_notes(const scap::engine& eng, size_t& shown) {
    const std::vector<std::string>& notes = eng.notes();
    for (; shown < notes.size(); ++shown) std::fprintf(stderr, "scapdig: note: %s\n", notes[shown].c_str());
}

bool changes_state(const sinsp::event& e) {
    const scap_event_info& info = e.view.info();
    return (info.flags & (EF_MODIFIES_STATE | EF_CREATES_FD | EF_DESTROYS_FD)) ||
           (info.category & EC_METAEVENT);
}

int run(const scapdig::options& o) {
    sinsp::field_catalog fields;
    std::unique_ptr<sinsp::filter::compiled_filter> filter;
    std::unique_ptr<sinsp::event_formatter> formatter;
    try {
        filter = o.filter.empty() ? sinsp::filter::accept_all() : sinsp::filter::compile(o.filter, fields);
    } catch (const sinsp::filter::filter_error& e) {
        std::fprintf(stderr, "scapdig: bad filter: %s\n", e.what());
        return 2;
    }
    // As sysdig: -w writes without printing, unless a format (-p, -j) asks for output too.
    const bool print = !o.quiet && (o.write_file.empty() || o.want_output);
    if (print) {
        try {
            formatter = std::make_unique<sinsp::event_formatter>(
                o.format.empty() ? std::string(sinsp::k_default_format) : o.format, fields);
        } catch (const sinsp::filter::filter_error& e) {
            std::fprintf(stderr, "scapdig: bad output format: %s\n", e.what());
            return 2;
        }
    }

    std::string error;
    // Live with a filter: the part of it the kernel can check (proposal 0011).
    scap::prefilter pre_filter;
    if (o.read_file.empty() && o.prefilter && !o.filter.empty())
        pre_filter = sinsp::derive_prefilter(*sinsp::filter::parse(o.filter), filter->event_codes());
    sinsp::inspector insp(scapdig::inspector_options_for(o));
    auto engine = scapdig::open_source(o, filter->syscall_codes(), &pre_filter, insp, error);
    if (!engine) {
        std::fprintf(stderr, "scapdig: %s\n", error.c_str());
        return 1;
    }
    insp.open(std::move(engine));

    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    static char out_buf[1 << 20];
    std::setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);

    std::unique_ptr<scap::dumper> writer;
    counters c;
    std::string line;
    int rc = 0;
    // open_source printed a live engine's notes; a file's come from open and from reading.
    size_t notes_shown = o.read_file.empty() ? insp.engine()->notes().size() : 0;
    const auto t0 = std::chrono::steady_clock::now();
    while (!g_interrupted) {
        const sinsp::event* e = nullptr;
        const scap::status s = insp.next(e);
        if (insp.engine()->notes().size() != notes_shown) print_new_notes(*insp.engine(), notes_shown);
        if (s == scap::status::timeout) continue;
        if (s == scap::status::eof) break;
        if (s != scap::status::ok) {
            std::fprintf(stderr, "scapdig: %s\n", insp.last_error().c_str());
            rc = 1;
            break;
        }
        ++c.read;
        const sinsp::event_context ctx{e, &insp};
        const bool matched = filter->matches(ctx);
        c.matched += matched;
        // The written capture keeps, besides the matching events, every event that changes
        // state (process lifecycle, fds opened and closed, credentials): replaying it then
        // rebuilds the same processes and fds the live run had when each match happened.
        if (!o.write_file.empty() && (matched || changes_state(*e))) {
            // Opened at the first event: a capture file's snapshot is complete only then.
            if (!writer) {
                writer = scap::dumper::open(o.write_file, o.compress, insp.engine()->get_snapshot(), error);
                if (!writer) {
                    std::fprintf(stderr, "scapdig: %s\n", error.c_str());
                    rc = 1;
                    break;
                }
            }
            if (writer->write(e->view.header(), e->cpu, e->block_flags) != scap::status::ok) {
                std::fprintf(stderr, "scapdig: writing event %llu: %s\n",
                             static_cast<unsigned long long>(e->num), writer->last_error().c_str());
                rc = 1;
                break;
            }
            ++c.written;
        }
        if (!matched) continue;
        if (formatter) {
            line.clear();
            const bool shown = o.json ? formatter->format_json(ctx, line) : formatter->format(ctx, line);
            if (shown) {
                line += '\n';
                std::fwrite(line.data(), 1, line.size(), stdout);
                ++c.printed;
            }
        }
        if (o.max_events && c.matched >= o.max_events) break;
    }
    insp.stop_reading();  // the reading thread, if any, ends: engine stats are ours again
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fflush(stdout);
    if (writer && writer->close() != scap::status::ok) {
        std::fprintf(stderr, "scapdig: closing %s: %s\n", o.write_file.c_str(), writer->last_error().c_str());
        rc = 1;
    }
    // What reached the file, not what was handed to the writer (a full disk loses the buffered rest).
    c.written = writer ? writer->events_written() : 0;
    print_summary(insp, c, seconds, writer.get(), o.max_state_bytes);
    return rc;
}

}  // namespace

int main(int argc, char** argv) {
    scapdig::options o;
    const int prc = scapdig::parse_options(argc, argv, o);
    if (prc == -1) return 0;
    if (prc != 0) return prc;
    if (!scapdig::pin_to_cpu(o)) return 2;
    if (o.list_fields) {
        scapdig::print_field_list(stdout);
        return 0;
    }
    if (o.diagnostics) {
        sinsp::diagnostics_run_options d;
        d.explicit_engine = !o.read_file.empty();
        d.open.file.path = o.read_file;
        d.seconds = o.seconds;
        d.max_events = o.max_events;
        std::printf("%s\n", sinsp::run_diagnostics(d).c_str());
        return 0;
    }
    // fd.*ip.name compare with today's DNS answers: meaningful for a live capture only.
    sinsp::dns_cache::global().set_lookups(o.read_file.empty() && !o.list_rules);
    if (!o.rule_files.empty() || o.list_rules) return scapdig::run_rules(o);
    return run(o);
}
