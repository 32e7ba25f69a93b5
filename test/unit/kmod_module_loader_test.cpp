// The kmod engine's module loader: what it reads from a module file and the sentence it gives
// when it cannot load one (never a bare errno).
#include <gtest/gtest.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "engines/kmod/module_loader.h"

namespace {

// A file that looks like a module to the vermagic reader (a .modinfo-style NUL-separated area).
std::string write_fake_module(const std::string& vermagic) {
    char path[] = "/tmp/scap_fake_kmod_XXXXXX";
    const int fd = mkstemp(path);
    EXPECT_GE(fd, 0);
    close(fd);
    std::ofstream out(path, std::ios::binary);
    const std::string body = std::string(
                                 "\x7f"
                                 "ELF junk",
                                 9) +
                             '\0' + "license=GPL" + '\0' + "vermagic=" + vermagic + '\0' + "name=scap_kmod" +
                             '\0';
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    return path;
}

TEST(KmodModuleLoader, ReadsVermagic) {
    const std::string p = write_fake_module("6.1.0-57-amd64 SMP preempt mod_unload modversions ");
    std::string error;
    EXPECT_EQ(scap::kmod::module_vermagic(p, error), "6.1.0-57-amd64 SMP preempt mod_unload modversions ");
    EXPECT_TRUE(error.empty()) << error;
    std::remove(p.c_str());
}

TEST(KmodModuleLoader, MissingFileIsNamed) {
    std::string error;
    EXPECT_EQ(scap::kmod::module_vermagic("/nonexistent/scap_kmod.ko", error), "");
    EXPECT_NE(error.find("/nonexistent/scap_kmod.ko"), std::string::npos) << error;
}

TEST(KmodModuleLoader, RefusesWhatCannotLoadWithAReason) {
    const std::string p = write_fake_module("0.0.1-not-this-kernel SMP mod_unload ");
    std::string error;
    EXPECT_FALSE(scap::kmod::load_module(p, "", error));
    if (access("/proc/modules", F_OK) != 0) {
        // This host has no module support at all: that is what must be said.
        EXPECT_NE(error.find("CONFIG_MODULES is off"), std::string::npos) << error;
    } else {
        utsname u{};
        uname(&u);
        EXPECT_NE(error.find("built for kernel 0.0.1-not-this-kernel"), std::string::npos) << error;
        EXPECT_NE(error.find(u.release), std::string::npos) << error;
    }
    std::remove(p.c_str());
}

TEST(KmodModuleLoader, AbsentModuleSaysHowToLoadIt) {
    std::string error;
    EXPECT_FALSE(scap::kmod::ensure_device_node("/nonexistent-dir/scap_kmod", error));
    if (access("/sys/class/misc/scap_kmod", F_OK) == 0)  // loaded here: the node cannot be made there
        EXPECT_NE(error.find("cannot create /nonexistent-dir/scap_kmod"), std::string::npos) << error;
    else
        EXPECT_NE(error.find("insmod"), std::string::npos) << error;
}

}  // namespace
