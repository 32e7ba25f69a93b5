// Reads a capture through the installed libscap and prints the number of events.
#include <cstdio>

#include "scap/scap.h"

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    scap::open_options opts;
    opts.file.path = argv[1];
    std::string error;
    auto eng = scap::open_engine(opts, error);
    if (!eng) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    scap::event_ref ref;
    unsigned long n = 0;
    scap::status s;
    while ((s = eng->next(ref)) == scap::status::ok) ++n;
    if (s != scap::status::eof) {
        std::fprintf(stderr, "%s\n", eng->last_error().c_str());
        return 1;
    }
    std::printf("%lu\n", n);
    return 0;
}
