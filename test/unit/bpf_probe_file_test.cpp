// The legacy probe's kernel-release check reads an ELF section before libbpf sees the file: bad
// files get a clear error, never an out-of-bounds read.
#include <elf.h>

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engines/bpf/probe_file.h"

namespace {

// A minimal 64-bit BPF ELF image: null section, .shstrtab, and `section` holding `content`.
std::vector<uint8_t> make_elf(const std::string& section, const std::string& content) {
    const std::string names = std::string("\0.shstrtab\0", 11) + section + '\0';
    std::vector<uint8_t> img(sizeof(Elf64_Ehdr));
    const uint64_t names_off = img.size();
    img.insert(img.end(), names.begin(), names.end());
    const uint64_t content_off = img.size();
    img.insert(img.end(), content.begin(), content.end());
    while (img.size() % 8) img.push_back(0);
    const uint64_t shoff = img.size();
    Elf64_Shdr sh[3] = {};
    sh[1].sh_name = 1;
    sh[1].sh_type = SHT_STRTAB;
    sh[1].sh_offset = names_off;
    sh[1].sh_size = names.size();
    sh[2].sh_name = 11;
    sh[2].sh_type = SHT_PROGBITS;
    sh[2].sh_offset = content_off;
    sh[2].sh_size = content.size();
    img.resize(shoff + sizeof sh);
    std::memcpy(img.data() + shoff, sh, sizeof sh);
    Elf64_Ehdr eh = {};
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_machine = EM_BPF;
    eh.e_shoff = shoff;
    eh.e_shentsize = sizeof(Elf64_Shdr);
    eh.e_shnum = 3;
    eh.e_shstrndx = 1;
    std::memcpy(img.data(), &eh, sizeof eh);
    return img;
}

TEST(BpfProbeFile, ReadsTheRecordedRelease) {
    std::string release, error;
    ASSERT_TRUE(scap::bpf::probe_release_from_image(
        make_elf(".scap_kernel_release", std::string("6.1.0-57-amd64\0", 15)), release, error))
        << error;
    EXPECT_EQ(release, "6.1.0-57-amd64");
}

TEST(BpfProbeFile, ObjectWithoutTheSectionIsNotAProbe) {
    std::string release, error;
    EXPECT_FALSE(scap::bpf::probe_release_from_image(make_elf(".rodata", "x"), release, error));
    EXPECT_NE(error.find("not a scap legacy probe"), std::string::npos) << error;
}

TEST(BpfProbeFile, TruncatedOrForeignFilesAreRefusedWithAReason) {
    std::string release, error;
    EXPECT_FALSE(scap::bpf::probe_release_from_image({}, release, error));
    EXPECT_NE(error.find("not an ELF file"), std::string::npos) << error;
    std::vector<uint8_t> img = make_elf(".scap_kernel_release", "6.12");
    // Every truncation point: a clear error, never a read past the end (ASan builds check it).
    for (size_t n = 0; n < img.size(); ++n) {
        std::vector<uint8_t> cut(img.begin(), img.begin() + n);
        error.clear();
        EXPECT_FALSE(scap::bpf::probe_release_from_image(cut, release, error)) << "cut at " << n;
        EXPECT_FALSE(error.empty()) << "cut at " << n;
    }
    std::vector<uint8_t> x86 = img;
    x86[offsetof(Elf64_Ehdr, e_machine)] = EM_X86_64;
    EXPECT_FALSE(scap::bpf::probe_release_from_image(x86, release, error));
    EXPECT_NE(error.find("not a 64-bit BPF object"), std::string::npos) << error;
}

TEST(BpfProbeFile, AnotherKernelsProbeIsRefusedNamingBoth) {
    const std::vector<uint8_t> img = make_elf(".scap_kernel_release", std::string("6.1.0-57-amd64\0", 15));
    const std::string path = ::testing::TempDir() + "/scap_bpf_other.o";
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(img.data(), 1, img.size(), f);
    std::fclose(f);
    std::string error;
    EXPECT_FALSE(scap::bpf::check_probe_kernel(path, "6.12.95+deb12-amd64", error));
    EXPECT_NE(error.find("built for kernel 6.1.0-57-amd64"), std::string::npos) << error;
    EXPECT_NE(error.find("this kernel is 6.12.95+deb12-amd64"), std::string::npos) << error;
    EXPECT_TRUE(scap::bpf::check_probe_kernel(path, "6.1.0-57-amd64", error)) << error;
    std::remove(path.c_str());
}

}  // namespace
