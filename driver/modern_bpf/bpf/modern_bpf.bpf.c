/*
 * The modern (CO-RE) driver as one BPF object: the headers included here each hold one part
 * (maps, event assembly, task/file/socket readers, the table-driven filler, the programs).
 * One compilation unit keeps every program sharing the same map definitions without relying
 * on the BPF static linker.
 */
#include "common.h"
#include "maps.h"
#include "event.h"
#include "ring_output.h"
#include "fill.h"
#include "syscall_exit.h"
#include "toctou_enter.h"
#include "tracepoints.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";
