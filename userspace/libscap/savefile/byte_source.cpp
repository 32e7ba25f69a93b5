#include "savefile/byte_source.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#ifdef SCAP_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

namespace scap {
namespace {

// zlib's gz* interface: gzip files and, transparently, plain ones.
class zlib_source final : public byte_source {
  public:
    explicit zlib_source(gzFile f) : m_gz(f) { gzbuffer(m_gz, 256 * 1024); }
    ~zlib_source() override { gzclose(m_gz); }

    long read(uint8_t* out, size_t n) override {
        const int got = gzread(m_gz, out, static_cast<unsigned>(n));
        m_raw = static_cast<uint64_t>(gzoffset(m_gz));
        if (got > 0) return got;
        // 0 is the end of input; zlib still reports a gzip stream that was cut short.
        int errnum = Z_OK;
        const char* msg = gzerror(m_gz, &errnum);
        if (got < 0 || errnum != Z_OK) {
            m_error = msg && *msg ? msg : "read error";
            return -1;
        }
        return 0;
    }
    uint64_t raw_offset() const override { return m_raw; }
    std::string error() const override { return m_error; }
    const char* decoder() const override { return "zlib"; }

  private:
    gzFile m_gz;
    uint64_t m_raw = 0;
    std::string m_error;
};

// A file that is not gzip, read as stored straight into the caller's buffer. zlib's transparent
// mode gives the same bytes, but reads the start of the file through its own buffers (a copy,
// and page faults on buffers used once); read(2) into the chunk is the one copy there must be.
class plain_source final : public byte_source {
  public:
    plain_source(int fd, std::string path) : m_fd(fd), m_path(std::move(path)) {}
    ~plain_source() override { ::close(m_fd); }

    long read(uint8_t* out, size_t n) override {
        size_t done = 0;
        while (done < n) {
            const ssize_t got = ::read(m_fd, out + done, n - done);
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) {
                m_error = m_path + ": " + std::strerror(errno);  // zlib's "PATH: what" form
                if (done == 0) return -1;
                break;  // hand out what was read; the next call reports the error
            }
            if (got == 0) break;
            done += static_cast<size_t>(got);
        }
        m_raw += done;
        return static_cast<long>(done);
    }
    uint64_t raw_offset() const override { return m_raw; }
    std::string error() const override { return m_error; }
    const char* decoder() const override { return "none"; }
    bool inflates() const override { return false; }

  private:
    int m_fd;
    std::string m_path;
    uint64_t m_raw = 0;
    std::string m_error;
};

#ifdef SCAP_HAVE_ISAL
// igzip over a file that starts with the gzip magic. Handles concatenated members (what
// `cat a.gz b.gz` makes, and what zlib reads as one stream) and, like zlib, ignores bytes after
// the last member that are not another one.
class isal_source final : public byte_source {
  public:
    isal_source(int fd, std::string path)
        : m_fd(fd), m_path(std::move(path)), m_in(k_in_size), m_state(std::make_unique<inflate_state>()) {
        isal_inflate_init(m_state.get());
        m_state->crc_flag = ISAL_GZIP;
    }
    ~isal_source() override { ::close(m_fd); }

    long read(uint8_t* out, size_t n) override {
        if (m_rest) return m_rest->read(out, n);
        if (!m_error.empty()) return -1;
        if (m_done) return 0;
        inflate_state& st = *m_state;
        st.next_out = out;
        st.avail_out = static_cast<uint32_t>(n);
        while (st.avail_out > 0) {
            if (st.avail_in == 0 && !m_eof && !refill()) break;
            const int r = isal_inflate(&st);
            if (r < 0) {
                // As zlib words them, so callers and users see one vocabulary; and as zlib does,
                // the bytes this call inflated are dropped: they may be the damaged ones.
                fail(m_path +
                     (r == ISAL_INCORRECT_CHECKSUM ? ": incorrect data check" : ": invalid compressed data"));
                return -1;
            }
            if (st.block_state == ISAL_BLOCK_FINISH) {
                if (!next_member()) {
                    m_done = true;
                    break;
                }
                continue;
            }
            if (st.avail_in == 0 && m_eof) {
                // Cut short (a capture whose writer was killed). igzip holds back the output
                // of the unfinished block, zlib hands out every byte it can: finish the file
                // with zlib, so a cut capture keeps all its readable events.
                const long produced = static_cast<long>(n - st.avail_out);
                m_delivered += static_cast<uint64_t>(produced);
                if (!hand_over_to_zlib()) return produced > 0 ? produced : -1;
                if (produced > 0) return produced;
                return m_rest->read(out, n);
            }
        }
        const long produced = static_cast<long>(n - st.avail_out);
        m_delivered += static_cast<uint64_t>(produced);
        if (produced > 0) return produced;
        return m_error.empty() ? 0 : -1;
    }
    uint64_t raw_offset() const override {
        return m_rest ? m_rest->raw_offset() : m_read - m_state->avail_in;
    }
    std::string error() const override { return m_rest ? m_rest->error() : m_error; }
    const char* decoder() const override { return "isa-l"; }

  private:
    static constexpr size_t k_in_size = 256 * 1024;

    // Reads more compressed input; false on a read error (m_error set).
    bool refill() {
        for (;;) {
            const ssize_t got = ::read(m_fd, m_in.data(), m_in.size());
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) {
                fail(m_path + ": " + std::strerror(errno));
                return false;
            }
            if (got == 0) m_eof = true;
            m_read += static_cast<uint64_t>(got);
            m_state->next_in = m_in.data();
            m_state->avail_in = static_cast<uint32_t>(got);
            return true;
        }
    }

    // After a member's trailer: true when another gzip member follows (the state is reset for it).
    bool next_member() {
        inflate_state& st = *m_state;
        if (st.avail_in == 0 && !m_eof && !refill()) return false;
        if (st.avail_in == 1 && !m_eof) {
            // The magic straddles two reads: keep the one byte in front of the next read.
            const uint8_t first = *st.next_in;
            m_in[0] = first;
            const ssize_t got = ::read(m_fd, m_in.data() + 1, m_in.size() - 1);
            if (got < 0) {
                fail(m_path + ": " + std::strerror(errno));
                return false;
            }
            if (got == 0) m_eof = true;
            m_read += static_cast<uint64_t>(got);
            st.next_in = m_in.data();
            st.avail_in = static_cast<uint32_t>(got) + 1;
        }
        if (st.avail_in < 2 || st.next_in[0] != 0x1f || st.next_in[1] != 0x8b) return false;
        uint8_t* const in = st.next_in;
        const uint32_t avail = st.avail_in;
        uint8_t* const out = st.next_out;
        const uint32_t room = st.avail_out;
        isal_inflate_reset(&st);
        st.crc_flag = ISAL_GZIP;
        st.next_in = in;
        st.avail_in = avail;
        st.next_out = out;
        st.avail_out = room;
        return true;
    }

    // Continues the file with zlib from the byte after the last one handed out. False (with
    // m_error set) when zlib cannot reopen it.
    bool hand_over_to_zlib() {
        gzFile f = gzopen(m_path.c_str(), "rb");
        if (!f) {
            fail(m_path + ": unexpected end of file");
            return false;
        }
        auto rest = std::make_unique<zlib_source>(f);
        std::vector<uint8_t> skip(1 << 16);
        for (uint64_t left = m_delivered; left > 0;) {
            const long got =
                rest->read(skip.data(), left < skip.size() ? static_cast<size_t>(left) : skip.size());
            if (got <= 0) break;  // zlib ends earlier than igzip did: nothing more to give
            left -= static_cast<uint64_t>(got);
        }
        m_rest = std::move(rest);
        return true;
    }

    void fail(std::string why) {
        if (m_error.empty()) m_error = std::move(why);
    }

    int m_fd;
    std::string m_path;
    uint64_t m_delivered = 0;             // bytes handed out so far
    std::unique_ptr<byte_source> m_rest;  // zlib, after the input was found cut short
    std::vector<uint8_t> m_in;
    std::unique_ptr<inflate_state> m_state;
    uint64_t m_read = 0;  // bytes read from the file
    bool m_eof = false;   // read() returned 0
    bool m_done = false;  // the last member ended
    std::string m_error;
};
#endif

}  // namespace

bool have_isal_decoder() {
#ifdef SCAP_HAVE_ISAL
    return true;
#else
    return false;
#endif
}

std::unique_ptr<byte_source> open_byte_source(const std::string& path, gzip_decoder decoder,
                                              std::string& error) {
    if (decoder == gzip_decoder::automatic) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            error = "cannot open '" + path + "': " + std::strerror(errno);
            return nullptr;
        }
        uint8_t magic[2] = {0, 0};
        const ssize_t got = ::pread(fd, magic, sizeof magic, 0);
        const bool gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        // Shorter than the magic: zlib decides (an empty file is an empty stream for both).
        if (got == 2 && !gzip) return std::make_unique<plain_source>(fd, path);
#ifdef SCAP_HAVE_ISAL
        if (gzip) return std::make_unique<isal_source>(fd, path);
#endif
        ::close(fd);  // zlib reads it
    }
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) {
        error = "cannot open '" + path + "': " + std::strerror(errno);
        return nullptr;
    }
    return std::make_unique<zlib_source>(f);
}

}  // namespace scap
