// A fresh directory under /tmp for one test, removed with everything in it afterwards.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace drvtest {

class scratch_dir {
  public:
    scratch_dir() {
        char tmpl[] = "/tmp/scap_drvtest_XXXXXX";
        const char* p = mkdtemp(tmpl);
        m_path = p ? p : "";
        m_fd = p ? open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    }
    ~scratch_dir() {
        if (m_fd >= 0) close(m_fd);
        if (!m_path.empty()) std::system(("rm -rf '" + m_path + "'").c_str());
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;

    const std::string& path() const { return m_path; }
    std::string operator/(const std::string& name) const { return m_path + "/" + name; }
    int fd() const { return m_fd; }

  private:
    std::string m_path;
    int m_fd = -1;
};

}  // namespace drvtest
