#include "engines/kmod/module_loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "kmod_abi.h"

namespace scap::kmod {
namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

std::string module_vermagic(const std::string& ko_path, std::string& error) {
    std::ifstream in(ko_path, std::ios::binary);
    if (!in) {
        error = "cannot read the module file " + ko_path + ": " + std::strerror(errno);
        return "";
    }
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    static const char key[] = "vermagic=";
    const size_t at = bytes.find(key);
    if (at == std::string::npos) return "";
    const size_t start = at + sizeof key - 1;
    const size_t end = bytes.find('\0', start);
    return bytes.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool load_module(const std::string& ko_path, const std::string& params, std::string& error) {
    if (access("/proc/modules", F_OK) != 0)
        return error = "this kernel cannot load modules (no /proc/modules: CONFIG_MODULES is off)", false;
    std::string verr;
    const std::string vermagic = module_vermagic(ko_path, verr);
    if (!verr.empty()) return error = verr, false;
    utsname u{};
    uname(&u);
    const std::string built_for = vermagic.substr(0, vermagic.find(' '));
    if (vermagic.empty()) return error = ko_path + " has no vermagic: not a kernel module", false;
    if (built_for != u.release)
        return error = ko_path + " was built for kernel " + built_for + ", this kernel is " + u.release +
                       " (rebuild it: bash driver/kmod/build.sh <headers of " + u.release + ">)",
               false;
    const int fd = open(ko_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return error = "cannot open " + ko_path + ": " + std::strerror(errno), false;
    const long rc = syscall(SYS_finit_module, fd, params.c_str(), 0);
    const int err = errno;
    close(fd);
    if (rc == 0 || err == EEXIST) return true;
    switch (err) {
        case EPERM:
            error = "no permission to load " + ko_path +
                    " (needs CAP_SYS_MODULE; module loading may also be disabled or locked down)";
            break;
        case ENOSYS:
            error = "this kernel cannot load modules (finit_module: ENOSYS)";
            break;
        case ENOEXEC:
        case EINVAL:
            error = ko_path + " was refused by the kernel (" + std::strerror(err) +
                    "): wrong version or format; the kernel log (dmesg) says which";
            break;
        case EKEYREJECTED:
            error = ko_path + " was refused: the kernel requires signed modules";
            break;
        default:
            error = "cannot load " + ko_path + ": " + std::strerror(err) + " (see dmesg)";
    }
    return false;
}

bool ensure_device_node(const std::string& device, std::string& error) {
    if (access(device.c_str(), F_OK) == 0) return true;
    const std::string sys = std::string("/sys/class/misc/") + KMOD_DEVICE_NAME + "/dev";
    const std::string majmin = read_file(sys);
    unsigned maj = 0, min = 0;
    if (majmin.empty() || std::sscanf(majmin.c_str(), "%u:%u", &maj, &min) != 2)
        return error = "the scap_kmod module is not loaded (no " + device + ", no " + sys +
                       "): load it (insmod scap_kmod.ko) or give the engine its path (scap-open --kmod_path, "
                       "SCAP_KMOD_PATH)",
               false;
    if (mknod(device.c_str(), S_IFCHR | 0600, makedev(maj, min)) != 0 && errno != EEXIST)
        return error = "cannot create " + device + ": " + std::strerror(errno), false;
    return true;
}

}  // namespace scap::kmod
