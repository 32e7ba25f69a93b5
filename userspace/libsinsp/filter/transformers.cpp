#include "transformers.h"

#include <cstring>
#include <stdexcept>

#include "compare.h"

namespace sinsp::filter {

namespace {

bool is_text(ppm_param_type t) {
    return t == PT_CHARBUF || t == PT_FSPATH || t == PT_FSRELPATH;
}

// Base class for transformers producing new bytes per value: one reusable buffer per value.
class rewriting : public transformer {
  public:
    bool apply(value_list& values) final {
        if (m_bufs.size() < values.size()) m_bufs.resize(values.size());
        for (size_t i = 0; i < values.size(); ++i) {
            if (values[i].data == nullptr) continue;
            std::string& out = m_bufs[i];
            out.clear();
            if (!rewrite(trim_text(values[i]).str(), out)) return false;
            values[i] = value_view::text(out);
        }
        return true;
    }

  protected:
    virtual bool rewrite(std::string_view in, std::string& out) = 0;

  private:
    std::vector<std::string> m_bufs;
};

class case_mapper final : public rewriting {
  public:
    explicit case_mapper(bool upper) : m_upper(upper) {}

  private:
    bool rewrite(std::string_view in, std::string& out) override {
        out.resize(in.size());
        for (size_t i = 0; i < in.size(); ++i) {
            char c = in[i];
            if (m_upper && c >= 'a' && c <= 'z') c = char(c - 32);
            if (!m_upper && c >= 'A' && c <= 'Z') c = char(c + 32);
            out[i] = c;
        }
        return true;
    }
    bool m_upper;
};

// Standard alphabet; padding optional; anything else fails the transformation.
class base64_decoder final : public rewriting {
    bool rewrite(std::string_view in, std::string& out) override {
        while (!in.empty() && in.back() == '=') in.remove_suffix(1);
        uint32_t acc = 0;
        int bits = 0;
        for (char c : in) {
            int v;
            if (c >= 'A' && c <= 'Z')
                v = c - 'A';
            else if (c >= 'a' && c <= 'z')
                v = c - 'a' + 26;
            else if (c >= '0' && c <= '9')
                v = c - '0' + 52;
            else if (c == '+')
                v = 62;
            else if (c == '/')
                v = 63;
            else
                return false;
            acc = (acc << 6) | uint32_t(v);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out += static_cast<char>((acc >> bits) & 0xff);
            }
        }
        return bits < 6;  // a single leftover sextet cannot come from whole bytes
    }
};

// The last path component: only moves the view, no copy.
class basename_view final : public transformer {
    bool apply(value_list& values) override {
        for (size_t i = 0; i < values.size(); ++i) {
            if (values[i].data == nullptr) continue;
            value_view v = trim_text(values[i]);
            auto s = v.str();
            auto slash = s.rfind('/');
            if (slash != std::string_view::npos) v = value_view::text(s.substr(slash + 1));
            values[i] = v;
        }
        return true;
    }
};

class length_of final : public transformer {
  public:
    length_of(bool list, bool text) : m_list(list), m_text(text) {}
    bool apply(value_list& values) override {
        if (m_list) {
            uint64_t n = values.size();
            values.clear();
            values.push_back(value_view::number(n));
            return true;
        }
        if (values.empty()) return false;
        value_view& v = values[0];
        if (v.data == nullptr) {
            v = value_view::number(0);
        } else if (m_text) {
            v = value_view::number(strnlen(reinterpret_cast<const char*>(v.data), v.len));
        } else {
            v = value_view::number(v.len);
        }
        values.resize(1);
        return true;
    }

  private:
    bool m_list, m_text;
};

}  // namespace

std::unique_ptr<transformer> make_transformer(std::string_view name, ppm_param_type& type, bool& is_list) {
    if (name == "tolower" || name == "toupper") {
        if (!is_text(type)) return nullptr;
        return std::make_unique<case_mapper>(name == "toupper");
    }
    if (name == "b64") {
        if (type != PT_CHARBUF && type != PT_BYTEBUF) return nullptr;
        return std::make_unique<base64_decoder>();
    }
    if (name == "basename") {
        if (!is_text(type)) return nullptr;
        return std::make_unique<basename_view>();
    }
    if (name == "len") {
        bool list = is_list, text = is_text(type);
        if (!list && !text && type != PT_BYTEBUF) return nullptr;
        type = PT_UINT64;
        is_list = false;
        return std::make_unique<length_of>(list, text);
    }
    throw std::invalid_argument("transformer '" + std::string(name) + "' is not supported");
}

}  // namespace sinsp::filter
