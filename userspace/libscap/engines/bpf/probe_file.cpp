#include "engines/bpf/probe_file.h"

#include <elf.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace scap::bpf {
namespace {

constexpr char k_release_section[] = ".scap_kernel_release";

template <typename T>
bool read_at(const std::vector<uint8_t>& img, uint64_t off, T& out) {
    if (off > img.size() || img.size() - off < sizeof(T)) return false;
    std::memcpy(&out, img.data() + off, sizeof(T));
    return true;
}

}  // namespace

bool probe_release_from_image(const std::vector<uint8_t>& img, std::string& release, std::string& error) {
    Elf64_Ehdr eh{};
    if (!read_at(img, 0, eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
        return error = "not an ELF file", false;
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_BPF)
        return error = "not a 64-bit BPF object (e_machine " + std::to_string(eh.e_machine) + ")", false;
    if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shstrndx >= eh.e_shnum)
        return error = "malformed ELF section table", false;
    Elf64_Shdr names{};
    if (!read_at(img, eh.e_shoff + uint64_t{eh.e_shstrndx} * sizeof(Elf64_Shdr), names))
        return error = "ELF section table past the end of the file", false;
    for (uint32_t i = 0; i < eh.e_shnum; ++i) {
        Elf64_Shdr sh{};
        if (!read_at(img, eh.e_shoff + uint64_t{i} * sizeof(Elf64_Shdr), sh))
            return error = "ELF section table past the end of the file", false;
        const uint64_t name_off = uint64_t{names.sh_offset} + sh.sh_name;
        if (sh.sh_name >= names.sh_size || name_off >= img.size()) continue;
        const char* name = reinterpret_cast<const char*>(img.data() + name_off);
        const size_t room = img.size() - name_off;
        if (strnlen(name, room) == room || std::strcmp(name, k_release_section) != 0) continue;
        if (sh.sh_offset > img.size() || img.size() - sh.sh_offset < sh.sh_size || sh.sh_size == 0)
            return error = std::string(k_release_section) + " lies past the end of the file", false;
        const char* s = reinterpret_cast<const char*>(img.data() + sh.sh_offset);
        release.assign(s, strnlen(s, sh.sh_size));
        if (release.empty()) return error = std::string(k_release_section) + " is empty", false;
        return true;
    }
    return error = std::string("no ") + k_release_section +
                   " section: not a scap legacy probe (build it with driver/bpf/build.sh)",
           false;
}

bool check_probe_kernel(const std::string& path, const std::string& running, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return error = "cannot open the probe " + path + ": " + std::strerror(errno), false;
    const std::vector<uint8_t> img((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string release, why;
    if (!probe_release_from_image(img, release, why)) return error = "probe " + path + ": " + why, false;
    if (release != running)
        return error =
                   "the probe " + path + " was built for kernel " + release + ", this kernel is " + running +
                   ": its structure offsets do not fit; build one for this kernel (bash driver/bpf/build.sh "
                   "/lib/modules/" +
                   running + "/build)",
               false;
    return true;
}

}  // namespace scap::bpf
