/*
 * What the TOCTOU entry hooks save (shared by the modern driver and the legacy probe, whose
 * programs differ only in how they get the arguments): per thread, the arguments and the path or
 * address of open, openat, openat2, creat, connect, execve and execveat, which the exit filler
 * uses instead of re-reading user memory.
 */
#ifndef MBPF_TOCTOU_SAVE_H
#define MBPF_TOCTOU_SAVE_H

#include "maps.h"

/* Saves the entry of syscall `nr` for the current thread: its arguments, and the string or
 * sockaddr argument `data_arg` points at. len_arg < 0: a string, else the sockaddr length
 * argument. */
static __always_inline int save_entry_args(uint32_t nr, const uint64_t* args, uint32_t ppm_sc, int data_arg,
                                           int len_arg) {
    if (!sc_is_selected(ppm_sc)) return 0;
    struct mbpf_saved_args* sv = saved_new();
    if (!sv) return 0;
    for (int k = 0; k < 6; k++) sv->args[k] = args[k];
    const void* src = (const void*)sv->args[data_arg & 7];
    uint32_t n = 0;
    if (len_arg < 0) {
        n = saved_read_str(sv, src, 1);
    } else {
        uint64_t len = sv->args[len_arg & 7];
        n = len > MBPF_SOCKADDR_MAX ? MBPF_SOCKADDR_MAX : (uint32_t)len;
        /* The mask bounds the register the verifier sees; the check bounds it by the record's
         * inline room. */
        n = MBPF_MASK(n, MBPF_SOCKADDR_MAX * 2 - 1);
        if (n > MBPF_SOCKADDR_MAX || bpf_probe_read_user(sv->data, n, src)) n = 0;
    }
    sv->data_len = n;
    sv->nr = nr;
    saved_commit(sv);
    return 0;
}

/*
 * The entry copy of execve's path is not enough: a fork child usually has not touched the page
 * holding the path string yet (fork does not copy page tables of untouched file-backed
 * mappings), and a non-sleepable BPF program cannot fault it in, so the entry read fails and
 * the saved path is empty. And an execve from a non-leader thread changes the caller's tid,
 * so the entry saved under the old tid is not found at exit. The kernel's own copy of the path
 * (bprm->filename) is valid here, after the new image is in place and before the syscall
 * returns, and `current` already has its final tid: store it where the exit filler looks
 * (saved_put_exec: moved from the old tid's record where the store is keyed by tid).
 */
static __always_inline int save_exec_filename(pid_t old_pid, const char* filename) {
    if (!sc_is_selected(PPM_SC_EXECVE) && !sc_is_selected(PPM_SC_EXECVEAT)) return 0;
    saved_put_exec(old_pid, filename);
    return 0;
}

#endif /* MBPF_TOCTOU_SAVE_H */
