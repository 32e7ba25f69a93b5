#include "converter/build.h"

#include <cstring>
#include <string_view>

#include "converter/param_sizes.h"

namespace scap::conv {
namespace {

// One built parameter: bytes that live elsewhere (source event, stored enter, scratch) or a
// default value written in place.
constexpr uint32_t k_max_params = 256;

struct piece {
    const uint8_t* data = nullptr;
    uint32_t len = 0;
    bool is_default = false;
};

// The old container event (id, type, name, image) as the JSON its successor carries. Mirrors the
// reference: every string loses its last byte (the terminator) and is not escaped; any missing or
// empty field makes the whole value unobtainable.
bool container_json(const event_view& v, std::string& json) {
    if (v.nparams() < 4) return false;
    auto text = [&](uint32_t i, std::string_view& s) {
        const param_view p = v.param(i);
        if (p.len == 0) return false;
        s = std::string_view(reinterpret_cast<const char*>(p.data), p.len - 1);
        return true;
    };
    std::string_view id, name, image;
    const param_view ty = v.param(1);
    if (!text(0, id) || ty.len > 4 || !text(2, name) || !text(3, image)) return false;
    const uint32_t type = ty.as<uint32_t>();
    json.clear();
    json.append("{\"id\":\"").append(id).append("\",\"type\":").append(std::to_string(type));
    json.append(",\"name\":\"").append(name).append("\",\"image\":\"").append(image).append("\"}");
    json.push_back('\0');
    return true;
}

}  // namespace

std::string event_label(uint16_t type) {
    if (type >= PPM_EVENT_MAX) return "event type " + std::to_string(type);
    return std::string(scap_event_table[type].name) + (is_enter_code(type) ? "_E" : "_X") + " (" +
           std::to_string(type) + ")";
}

build_result build_event(const rule& r, const event_header* in, const enter_store& store,
                         std::vector<uint8_t>& out, std::string& err) {
    build_result res;
    const event_view src(in);
    const bool append = r.act == action::add_params;
    const uint16_t type = append ? src.type() : r.target;
    const auto& info = scap_event_table[type];
    const uint32_t kept = append ? src.nparams() : 0;
    const uint32_t total = kept + static_cast<uint32_t>(r.params.size());
    if (total > info.nparams) {
        err = "converter rule for " + event_label(src.type()) + " builds " + std::to_string(total) +
              " parameters, more than " + event_label(type) + " has";
        return res;
    }
    if (total > k_max_params) {
        err = "converted " + event_label(type) + " would have " + std::to_string(total) + " parameters";
        return res;
    }
    const uint32_t lsz = param_len_size(type);
    const event_header* enter = nullptr;
    bool enter_looked_up = false;
    std::string scratch;  // only container JSON uses it (rare): allocation is fine here

    // Gather every parameter first so the output size is known before writing.
    piece pieces[k_max_params];
    for (uint32_t i = 0; i < kept; ++i) {
        const param_view p = src.param(i);
        pieces[i] = {p.data, p.len, false};
    }
    for (uint32_t j = 0; j < r.params.size(); ++j) {
        const param_instr& ins = r.params[j];
        const uint32_t pt = info.params[kept + j].type;
        const int fsize = fixed_size(pt);
        if (fsize < 0) {
            err = "converter cannot build parameter " + std::to_string(kept + j) + " of " +
                  event_label(type) + ": unsupported parameter type " + std::to_string(pt);
            return res;
        }
        piece& pc = pieces[kept + j];
        bool unavailable = false;
        switch (ins.from) {
            case source::empty:
                break;
            case source::typed_default:
                pc.is_default = true;
                break;
            case source::old_event: {
                if (ins.index >= src.nparams()) {
                    err = "converter wants parameter " + std::to_string(ins.index) + " of " +
                          event_label(src.type()) + ", which has only " + std::to_string(src.nparams());
                    return res;
                }
                const param_view p = src.param(ins.index);
                pc = {p.data, p.len, false};
                break;
            }
            case source::enter: {
                if (!enter_looked_up) {
                    enter = store.get(src.tid());
                    enter_looked_up = true;
                    if (enter != nullptr && event_view(enter).type() != r.expected_enter) {
                        err = "stored enter event for " + event_label(src.type()) + " on tid " +
                              std::to_string(src.tid()) + " is " + event_label(event_view(enter).type()) +
                              ", expected " + event_label(r.expected_enter);
                        return res;
                    }
                }
                if (enter == nullptr) {
                    unavailable = true;
                    res.missing_enter = true;
                    break;
                }
                const event_view ev(enter);
                if (ins.index >= ev.nparams()) {
                    err = "converter wants parameter " + std::to_string(ins.index) + " of the stored " +
                          event_label(ev.type()) + ", which has only " + std::to_string(ev.nparams());
                    return res;
                }
                const param_view p = ev.param(ins.index);
                pc = {p.data, p.len, false};
                res.used_enter = true;
                break;
            }
            case source::container_json: {
                if (!container_json(src, scratch)) {
                    unavailable = true;
                    break;
                }
                if (scratch.size() > static_cast<size_t>(max_len(pt, lsz))) {
                    err = "container JSON of " + std::to_string(scratch.size()) + " bytes does not fit " +
                          event_label(type);
                    return res;
                }
                pc = {reinterpret_cast<const uint8_t*>(scratch.data()), static_cast<uint32_t>(scratch.size()),
                      false};
                break;
            }
        }
        if (unavailable) pc = piece{nullptr, 0, !ins.fallback_empty};
        if (pc.is_default) {
            pc.len = static_cast<uint32_t>(fsize);
        } else if (pc.len > max_len(pt, lsz)) {
            // Values land in the new type's slot: a wider old value is cut to the new width, as the
            // reference does (e.g. bpf's 64-bit cmd into a 32-bit one).
            pc.len = static_cast<uint32_t>(max_len(pt, lsz));
        }
    }

    uint64_t size = k_event_header_size + static_cast<uint64_t>(lsz) * total;
    for (uint32_t i = 0; i < total; ++i) size += pieces[i].len;
    if (size > UINT32_MAX) {
        err = "converted " + event_label(type) + " would exceed 4 GiB";
        return res;
    }
    if (out.size() < size) out.resize(size);
    uint8_t* o = out.data();
    event_header hdr;
    std::memcpy(&hdr, in, k_event_header_size);
    hdr.len = static_cast<uint32_t>(size);
    hdr.type = type;
    hdr.nparams = total;
    std::memcpy(o, &hdr, k_event_header_size);
    uint8_t* lens = o + k_event_header_size;
    uint8_t* data = lens + static_cast<size_t>(lsz) * total;
    for (uint32_t i = 0; i < total; ++i) {
        const piece& pc = pieces[i];
        if (lsz == 4) {
            std::memcpy(lens + 4 * i, &pc.len, 4);
        } else {
            const uint16_t l = static_cast<uint16_t>(pc.len);
            std::memcpy(lens + 2 * i, &l, 2);
        }
        if (pc.is_default)
            write_default(info.params[i].type, data);
        else if (pc.len)
            std::memcpy(data, pc.data, pc.len);
        data += pc.len;
    }
    res.ok = true;
    return res;
}

}  // namespace scap::conv
