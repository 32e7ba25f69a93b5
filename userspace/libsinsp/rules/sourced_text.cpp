// Positions inside composed YAML scalars: an offset into a condition or output, which may be
// folded (`>`), literal (`|`), quoted or plain and may span several appends, mapped back to the
// line and column of the file it came from.
#include <algorithm>

#include "model.h"

namespace sinsp::rules::detail {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Walks the raw file text from the scalar's start and the scalar's value side by side: the value
// is the raw text minus indicators, quotes, escapes and indentation, with line breaks folded into
// blanks, so every value character is found at or after the raw position reached so far. Returns
// the raw offset of value[offset], or npos when the alignment runs off the file.
size_t align(const std::string& raw, size_t start, const std::string& value, size_t offset) {
    size_t r = start;
    for (size_t i = 0; i <= offset && i < value.size(); ++i) {
        const char want = value[i];
        while (r < raw.size() && raw[r] != want && !(is_space(want) && is_space(raw[r]))) ++r;
        if (r >= raw.size()) return std::string::npos;
        if (i == offset) return r;
        // A folded line break stands for one blank: skip the rest of the blank run.
        if (is_space(want) && i + 1 < value.size() && !is_space(value[i + 1])) {
            while (r < raw.size() && is_space(raw[r])) ++r;
        } else {
            ++r;
        }
    }
    return r < raw.size() ? r : std::string::npos;
}

location position_of(const file_text& f, size_t pos) {
    location loc;
    loc.file = f.name;
    pos = std::min(pos, f.content.size());
    // The last line starting at or before pos (index_lines() always records line 1 at 0).
    const auto next = std::upper_bound(f.line_starts.begin(), f.line_starts.end(), pos);
    const size_t line =
        next == f.line_starts.begin() ? 0 : static_cast<size_t>(next - f.line_starts.begin()) - 1;
    const size_t line_start = f.line_starts.empty() ? 0 : f.line_starts[line];
    loc.line = static_cast<uint32_t>(line + 1);
    loc.column = static_cast<uint32_t>(pos - line_start + 1);
    return loc;
}

}  // namespace

void file_text::index_lines() {
    line_starts.assign(1, 0);
    for (size_t i = 0; i < content.size(); ++i) {
        if (content[i] == '\n') line_starts.push_back(i + 1);
    }
}

void sourced_text::assign(std::string value, const text_piece& from) {
    text = std::move(value);
    pieces.clear();
    text_piece p = from;
    p.start = 0;
    p.length = text.size();
    pieces.push_back(std::move(p));
}

void sourced_text::append(const std::string& value, const text_piece& from) {
    text += ' ';
    text_piece p = from;
    p.start = text.size();
    p.length = value.size();
    text += value;
    pieces.push_back(std::move(p));
}

location sourced_text::locate(size_t offset) const {
    const text_piece* best = nullptr;
    for (const auto& p : pieces) {
        if (p.start <= offset) best = &p;
    }
    if (!best) return pieces.empty() ? location{} : pieces.front().origin;
    if (!best->file) return best->origin;
    // Only the piece's own value is aligned, so appends do not confuse the walk.
    const std::string value = text.substr(best->start, best->length);
    const size_t within = std::min(offset - best->start, value.empty() ? 0 : value.size() - 1);
    const size_t raw = align(best->file->content, best->scalar_pos, value, within);
    if (raw == std::string::npos) return best->origin;
    return position_of(*best->file, raw);
}

}  // namespace sinsp::rules::detail
