/*
 * scap_kmod: the kernel-module capture driver. One character device, /dev/scap_kmod, opened by
 * one consumer at a time (a second open gets EBUSY): the consumer configures the session with
 * ioctls, maps the per-CPU rings, starts and stops capture. Closing the device (or the consumer
 * dying) detaches every probe and frees everything; while it is open the module cannot be
 * removed (the open file holds a module reference). proposals/0008-kmod.md has the why.
 */
#include <linux/fs.h>
#include <linux/irq_work.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <linux/version.h>
#include <linux/vmalloc.h>
#include <generated/utsrelease.h>

#include "kmod.h"
#include "schema_version.h"

static unsigned long buffer_bytes = 8ul << 20;
module_param(buffer_bytes, ulong, 0444);
MODULE_PARM_DESC(
    buffer_bytes,
    "default data bytes of each per-CPU ring (a power of two); KMOD_IOCTL_SET_CONFIG may override");

#define KMOD_MIN_BUFFER (256ul << 10)
#define KMOD_MAX_BUFFER (1ul << 30)

static atomic_t device_open = ATOMIC_INIT(0);

static void wake_reader(struct irq_work* w) {
    struct kmod_session* s = container_of(w, struct kmod_session, wake_work);
    wake_up_interruptible(&s->wq);
}

static uint64_t boot_to_epoch_ns(void) {
    return ktime_get_real_ns() - ktime_get_boot_fast_ns();
}

static int kmod_open(struct inode* inode, struct file* f) {
    struct kmod_session* s;
    if (atomic_cmpxchg(&device_open, 0, 1) != 0) return -EBUSY;
    s = vzalloc(sizeof(*s));
    if (!s) {
        atomic_set(&device_open, 0);
        return -ENOMEM;
    }
    mutex_init(&s->lock);
    init_waitqueue_head(&s->wq);
    init_irq_work(&s->wake_work, wake_reader);
    s->snaplen = 80;
    s->tracepoints = KMOD_TP_PROC_EXIT | KMOD_TP_SIGNAL_DELIVER;
    memset(s->selected, 1, sizeof s->selected);
    f->private_data = s;
    return 0;
}

/* Last reference to the file gone: every mapping is gone too (a mapping holds the file). */
static int kmod_release(struct inode* inode, struct file* f) {
    struct kmod_session* s = f->private_data;
    mutex_lock(&s->lock);
    if (s->started) kmod_probes_stop(s);
    s->started = false;
    mutex_unlock(&s->lock);
    irq_work_sync(&s->wake_work);
    kmod_rings_free(s);
    kvfree(s->specs);
    kvfree(s->conv);
    vfree(s);
    atomic_set(&device_open, 0);
    return 0;
}

static long get_info(struct kmod_session* s, void __user* arg) {
    struct kmod_info info = {};
    info.api_version = KMOD_API_VERSION;
    info.n_rings = s->n_rings;
    info.buffer_bytes = s->buffer_bytes;
    info.ring_stride = s->ring_bytes;
    info.page_size = PAGE_SIZE;
    info.event_max = KMOD_EVENT_MAX;
    info.ppm_sc_max = KMOD_PPM_SC_MAX;
    info.schema_major = SCAP_SCHEMA_VERSION_MAJOR;
    info.schema_minor = SCAP_SCHEMA_VERSION_MINOR;
    info.started = s->started;
    strscpy(info.release, UTS_RELEASE, sizeof info.release);
    return copy_to_user(arg, &info, sizeof info) ? -EFAULT : 0;
}

static long set_config(struct kmod_session* s, void __user* arg) {
    struct kmod_config c;
    uint64_t bytes;
    if (copy_from_user(&c, arg, sizeof c)) return -EFAULT;
    if (s->started) return -EBUSY;
    bytes = c.buffer_bytes ? c.buffer_bytes : buffer_bytes;
    if (bytes < KMOD_MIN_BUFFER || bytes > KMOD_MAX_BUFFER || (bytes & (bytes - 1)) || c.snaplen > 65000)
        return -EINVAL;
    if (s->rings && bytes != s->buffer_bytes) return -EBUSY;
    if (!s->rings) {
        int err = kmod_rings_alloc(s, bytes);
        if (err) return err;
    }
    s->snaplen = c.snaplen;
    s->tracepoints = c.tracepoints;
    return 0;
}

static long set_tables(struct kmod_session* s, void __user* arg) {
    struct kmod_tables t;
    struct mbpf_fill_spec* specs;
    struct mbpf_conv_rule(*conv)[MBPF_CONV_ENTRIES];
    const size_t conv_bytes = sizeof(struct mbpf_conv_rule) * MBPF_CONV_TABLES * MBPF_CONV_ENTRIES;
    uint32_t k, p;
    if (copy_from_user(&t, arg, sizeof t)) return -EFAULT;
    if (s->started) return -EBUSY;
    if (t.n_specs != KMOD_EVENT_MAX || t.spec_size != sizeof(struct mbpf_fill_spec) ||
        t.conv_size != conv_bytes)
        return -EPROTO; /* userspace built against another schema or ABI */
    specs = kvmalloc_array(KMOD_EVENT_MAX, sizeof(*specs), GFP_KERNEL);
    conv = kvmalloc(conv_bytes, GFP_KERNEL);
    if (!specs || !conv) goto nomem;
    if (copy_from_user(specs, u64_to_user_ptr(t.specs), sizeof(*specs) * KMOD_EVENT_MAX) ||
        copy_from_user(conv, u64_to_user_ptr(t.conv), conv_bytes) ||
        copy_from_user(s->syscalls, u64_to_user_ptr(t.syscalls), sizeof s->syscalls) ||
        copy_from_user(s->sockopt_kinds, u64_to_user_ptr(t.sockopt_kinds), sizeof s->sockopt_kinds)) {
        kvfree(specs);
        kvfree(conv);
        return -EFAULT;
    }
    /* The interpreter trusts these numbers: check every index it will use. */
    for (k = 0; k < KMOD_EVENT_MAX; k++) {
        if (specs[k].nparams > MBPF_MAX_PARAMS) goto bad;
        for (p = 0; p < specs[k].nparams; p++)
            if (specs[k].params[p].conv >= MBPF_CONV_TABLES || specs[k].params[p].kind >= MBPF_SRC_KIND_COUNT)
                goto bad;
    }
    for (k = 0; k < MBPF_SYSCALL_SLOTS; k++)
        if (s->syscalls[k].event >= KMOD_EVENT_MAX || s->syscalls[k].ppm_sc >= KMOD_PPM_SC_MAX) goto bad;
    kvfree(s->specs);
    kvfree(s->conv);
    s->specs = specs;
    s->conv = conv;
    s->o_f_created = t.o_f_created;
    s->tables_set = true;
    return 0;
bad:
    memset(s->syscalls, 0, sizeof s->syscalls);
    kvfree(specs);
    kvfree(conv);
    return -EINVAL;
nomem:
    kvfree(specs);
    kvfree(conv);
    return -ENOMEM;
}

static long set_selection(struct kmod_session* s, void __user* arg) {
    struct kmod_selection sel;
    uint8_t* buf;
    uint32_t k;
    if (copy_from_user(&sel, arg, sizeof sel)) return -EFAULT;
    if (sel.count > KMOD_PPM_SC_MAX) sel.count = KMOD_PPM_SC_MAX;
    buf = kzalloc(KMOD_PPM_SC_MAX, GFP_KERNEL);
    if (!buf) return -ENOMEM;
    if (copy_from_user(buf, u64_to_user_ptr(sel.sel), sel.count)) {
        kfree(buf);
        return -EFAULT;
    }
    /* Byte by byte: the probes read it live, each byte is its own answer. */
    for (k = 0; k < KMOD_PPM_SC_MAX; k++) WRITE_ONCE(s->selected[k], buf[k] ? 1 : 0);
    kfree(buf);
    return 0;
}

static long start(struct kmod_session* s) {
    int err;
    if (s->started) return 0;
    if (!s->rings || !s->tables_set) return -ENODATA; /* SET_CONFIG and SET_TABLES first */
    s->boot_to_epoch_ns = boot_to_epoch_ns();
    err = kmod_probes_start(s);
    if (err) return err;
    s->started = true;
    return 0;
}

static long get_stats(struct kmod_session* s, void __user* arg) {
    struct kmod_stats st;
    if (copy_from_user(&st, arg, sizeof st)) return -EFAULT;
    if (!s->rings || st.ring >= s->n_rings) return -EINVAL;
    memcpy(&st.counters, s->rings[st.ring].prod, sizeof st.counters);
    return copy_to_user(arg, &st, sizeof st) ? -EFAULT : 0;
}

static long kmod_ioctl(struct file* f, unsigned int cmd, unsigned long arg) {
    struct kmod_session* s = f->private_data;
    void __user* uarg = (void __user*)arg;
    long ret;
    mutex_lock(&s->lock);
    switch (cmd) {
        case KMOD_IOCTL_GET_INFO:
            ret = get_info(s, uarg);
            break;
        case KMOD_IOCTL_SET_CONFIG:
            ret = set_config(s, uarg);
            break;
        case KMOD_IOCTL_SET_TABLES:
            ret = set_tables(s, uarg);
            break;
        case KMOD_IOCTL_SET_SELECTION:
            ret = set_selection(s, uarg);
            break;
        case KMOD_IOCTL_START:
            ret = start(s);
            break;
        case KMOD_IOCTL_STOP:
            if (s->started) kmod_probes_stop(s);
            s->started = false;
            ret = 0;
            break;
        case KMOD_IOCTL_GET_STATS:
            ret = get_stats(s, uarg);
            break;
        default:
            ret = -ENOTTY;
    }
    mutex_unlock(&s->lock);
    return ret;
}

/* Maps one part of one ring: the producer page and the data read-only, the consumer page
 * read-write; a mapping may not span two parts. */
static int kmod_mmap(struct file* f, struct vm_area_struct* vma) {
    struct kmod_session* s = f->private_data;
    const uint64_t off = (uint64_t)vma->vm_pgoff << PAGE_SHIFT;
    const uint64_t len = vma->vm_end - vma->vm_start;
    uint64_t ring, within, part_start, part_len;
    int err = -EINVAL;
    mutex_lock(&s->lock);
    if (!s->rings) goto out;
    ring = off / s->ring_bytes;
    within = off % s->ring_bytes;
    if (ring >= s->n_rings) goto out;
    if (within < PAGE_SIZE) {
        part_start = 0;
        part_len = PAGE_SIZE;
    } else if (within < 2 * PAGE_SIZE) {
        part_start = PAGE_SIZE;
        part_len = PAGE_SIZE;
    } else {
        part_start = 2 * PAGE_SIZE;
        part_len = s->buffer_bytes;
    }
    if (within + len > part_start + part_len) goto out;
    if (part_start != PAGE_SIZE) {
        err = -EPERM;
        if (vma->vm_flags & VM_WRITE) goto out;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
        vm_flags_clear(vma, VM_MAYWRITE);
#else
        vma->vm_flags &= ~VM_MAYWRITE;
#endif
    }
    err = remap_vmalloc_range(vma, s->rings[ring].area, within >> PAGE_SHIFT);
out:
    mutex_unlock(&s->lock);
    return err;
}

static __poll_t kmod_poll(struct file* f, struct poll_table_struct* wait) {
    struct kmod_session* s = f->private_data;
    uint32_t k;
    poll_wait(f, &s->wq, wait);
    if (!s->rings) return 0;
    for (k = 0; k < s->n_rings; k++)
        if (smp_load_acquire(&s->rings[k].prod->head) != READ_ONCE(s->rings[k].cons->tail))
            return EPOLLIN | EPOLLRDNORM;
    return 0;
}

static const struct file_operations kmod_fops = {
    .owner = THIS_MODULE,
    .open = kmod_open,
    .release = kmod_release,
    .unlocked_ioctl = kmod_ioctl,
    .mmap = kmod_mmap,
    .poll = kmod_poll,
    .llseek = noop_llseek,
};

static struct miscdevice kmod_dev = {
    .minor = MISC_DYNAMIC_MINOR,
    .name = KMOD_DEVICE_NAME,
    .fops = &kmod_fops,
    .mode = 0600,
};

static int __init kmod_init(void) {
    int err;
    if (buffer_bytes < KMOD_MIN_BUFFER || buffer_bytes > KMOD_MAX_BUFFER ||
        (buffer_bytes & (buffer_bytes - 1))) {
        pr_err("scap_kmod: buffer_bytes=%lu: must be a power of two between %lu and %lu\n", buffer_bytes,
               KMOD_MIN_BUFFER, KMOD_MAX_BUFFER);
        return -EINVAL;
    }
    err = kmod_probes_lookup();
    if (err) return err;
    err = kmod_scratch_init();
    if (err) return err;
    err = kmod_saved_init();
    if (err) goto scratch;
    err = misc_register(&kmod_dev);
    if (err) goto saved;
    pr_info("scap_kmod: loaded (api %u, schema %s), /dev/%s\n", KMOD_API_VERSION, SCAP_SCHEMA_VERSION_STRING,
            KMOD_DEVICE_NAME);
    return 0;
saved:
    kmod_saved_exit();
scratch:
    kmod_scratch_exit();
    return err;
}

static void __exit kmod_exit(void) {
    misc_deregister(&kmod_dev);
    kmod_saved_exit();
    kmod_scratch_exit();
}

module_init(kmod_init);
module_exit(kmod_exit);
MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("scap kernel-module capture driver: exit-only syscall events into per-CPU rings");
MODULE_VERSION("1");
