// Recursive-descent parser for the filter language (grammar in sinsp/filter_parser.h).
//
// Tokens are recognised directly on the input (no token stream): the language is context
// dependent (what counts as a bare string depends on the operator before it), so each grammar
// rule asks for exactly the token class it can accept at the current position.
#include "sinsp/filter_parser.h"

#include "literals.h"

#include <array>
#include <cctype>

namespace sinsp::filter {

namespace {

// Characters [:space:] matches in POSIX classes (bare strings, field arguments, 'not ').
bool is_posix_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
// Characters the language skips between tokens (note: \b yes, \v and \f no, as the reference).
bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\b' || c == '\r' || c == '\n';
}
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_ident_char(char c) {
    return is_alpha(c) || is_digit(c) || c == '_';
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

size_t number_length(std::string_view text, size_t at) {
    size_t j = at;
    auto peek = [&](size_t k) { return j + k < text.size() ? text[j + k] : '\0'; };
    if (peek(0) == '0' && (peek(1) == 'x' || peek(1) == 'X') && is_hex(peek(2))) {
        j += 2;
        while (j < text.size() && is_hex(text[j])) ++j;
        return j - at;
    }
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    size_t digits = j;
    while (j < text.size() && is_digit(text[j])) ++j;
    if (j == digits) return 0;
    if (j < text.size() && text[j] == '.') ++j;
    while (j < text.size() && is_digit(text[j])) ++j;
    if (j + 2 < text.size() && (text[j] == 'e' || text[j] == 'E') &&
        (text[j + 1] == '+' || text[j + 1] == '-') && is_digit(text[j + 2])) {
        j += 2;
        while (j < text.size() && is_digit(text[j])) ++j;
    }
    return j - at;
}

namespace {

// Transformers that wrap a field on either side of a comparison ("val(" is handled apart: it is
// only valid on the right-hand side and takes exactly one field).
constexpr std::array<std::string_view, 8> k_transformers = {"tolower(", "toupper(", "b64(",    "basename(",
                                                            "len(",     "join(",    "concat(", "getopt("};
constexpr std::array<std::string_view, 4> k_num_ops = {"<=", "<", ">=", ">"};
constexpr std::array<std::string_view, 3> k_symbol_ops = {"==", "=", "!="};
constexpr std::array<std::string_view, 9> k_word_ops = {
    "glob", "iglob", "contains", "icontains", "bcontains", "startswith", "bstartswith", "endswith", "regex"};
constexpr std::array<std::string_view, 3> k_list_ops = {"intersects", "in", "pmatch"};
constexpr std::array<std::string_view, 3> k_modifiers = {"oneof", "anyof", "allof"};

class parser {
  public:
    parser(std::string_view text, uint32_t max_depth) : m_text(text), m_max_depth(max_depth) {}

    std::unique_ptr<ast::expr> run() {
        if (m_text.empty()) fail("the filter is empty");
        auto e = parse_or();
        if (m_i != m_text.size()) {
            fail("unexpected '" + std::string(m_text.substr(m_i, 16)) + "': expected 'and', 'or' or the end");
        }
        return e;
    }

    // A field or transformer expression at the start of the text; `consumed` is where it ends.
    ast::term run_value(size_t& consumed) {
        auto pos = m_pos;
        ast::term t;
        std::string tname;
        if (size_t n = field_name_len()) {
            t = parse_field_rest(take(n), pos);
        } else if (lex_transformer_keyword(tname)) {
            t = parse_transformer_rest(tname, pos);
        } else {
            fail("expected a field name or a transformer");
        }
        consumed = m_i;
        return t;
    }

  private:
    std::string_view m_text;
    size_t m_i = 0;
    ast::position m_pos;
    uint32_t m_depth = 0;
    uint32_t m_max_depth;

    // Recursion is bounded so hostile input cannot exhaust the stack.
    struct depth_guard {
        parser& p;
        explicit depth_guard(parser& owner) : p(owner) {
            if (++p.m_depth >= p.m_max_depth)
                p.fail("nesting exceeds the limit of " + std::to_string(p.m_max_depth));
        }
        ~depth_guard() { --p.m_depth; }
    };

    [[noreturn]] void fail(const std::string& what) const { throw filter_error(m_pos, what); }
    [[noreturn]] void fail_at(const ast::position& pos, const std::string& what) const {
        throw filter_error(pos, what);
    }

    char peek(size_t k = 0) const { return m_i + k < m_text.size() ? m_text[m_i + k] : '\0'; }
    std::string_view rest() const { return m_text.substr(m_i); }

    void advance(size_t n) {
        for (size_t k = 0; k < n && m_i < m_text.size(); ++k, ++m_i) {
            char c = m_text[m_i];
            m_pos.offset++;
            if (c == '\n' || c == '\r') {
                m_pos.line++;
                m_pos.column = 1;
            } else {
                m_pos.column++;
            }
        }
    }
    void rewind(size_t i, const ast::position& pos) {
        m_i = i;
        m_pos = pos;
    }
    std::string take(size_t n) {
        std::string s(m_text.substr(m_i, n));
        advance(n);
        return s;
    }

    bool skip_blanks() {
        size_t start = m_i;
        while (m_i < m_text.size() && is_blank(m_text[m_i])) advance(1);
        return m_i != start;
    }
    bool accept(std::string_view s) {
        if (rest().substr(0, s.size()) != s) return false;
        advance(s.size());
        return true;
    }
    // A word operator counts only when a blank follows it ("contains " but not "containsx").
    bool accept_word_then_blank(std::string_view w) {
        size_t i = m_i;
        auto pos = m_pos;
        if (accept(w) && skip_blanks()) return true;
        rewind(i, pos);
        return false;
    }

    // --- token classes -------------------------------------------------------------------
    size_t identifier_len(size_t at) const {
        if (at >= m_text.size() || !is_alpha(m_text[at])) return 0;
        size_t j = at + 1;
        while (j < m_text.size() && is_ident_char(m_text[j])) ++j;
        return j - at;
    }
    // segment ('.' segment)+ where every segment is an identifier
    size_t field_name_len() const {
        size_t n = identifier_len(m_i);
        if (n == 0) return 0;
        size_t end = m_i + n, segments = 1;
        while (end < m_text.size() && m_text[end] == '.') {
            size_t s = identifier_len(end + 1);
            if (s == 0) break;
            end += 1 + s;
            segments++;
        }
        return segments > 1 ? end - m_i : 0;
    }
    size_t number_len() const { return number_length(m_text, m_i); }
    size_t bare_string_len() const {
        size_t j = m_i;
        while (j < m_text.size()) {
            char c = m_text[j];
            if (c == '(' || c == ')' || c == '"' || c == '\'' || c == '=' || c == ',' || is_posix_space(c))
                break;
            ++j;
        }
        return j - m_i;
    }
    size_t field_arg_bare_len() const {
        size_t j = m_i;
        while (j < m_text.size()) {
            char c = m_text[j];
            if (c == '[' || c == ']' || c == '"' || c == '\'' || is_posix_space(c)) break;
            ++j;
        }
        return j - m_i;
    }
    // A quoted string ends at the first delimiter not directly preceded by a backslash.
    bool lex_quoted(std::string& out) {
        char q = peek();
        if (q != '"' && q != '\'') return false;
        size_t j = m_i + 1;
        while (j < m_text.size() && !(m_text[j] == q && m_text[j - 1] != '\\')) ++j;
        if (j >= m_text.size()) return false;  // unterminated: not a quoted string at all
        auto start = m_pos;
        std::string_view raw = m_text.substr(m_i, j + 1 - m_i);
        try {
            out = unescape(raw);
        } catch (const std::invalid_argument& e) {
            fail_at(start, e.what());
        }
        advance(raw.size());
        return true;
    }
    bool lex_transformer_keyword(std::string& name) {
        for (auto kw : k_transformers) {
            if (accept(kw)) {
                name = std::string(kw.substr(0, kw.size() - 1));
                return true;
            }
        }
        return false;
    }
    bool bool_keyword_follows() const {
        for (std::string_view kw : {"and", "or", "not"}) {
            if (rest().substr(0, kw.size()) == kw &&
                (m_i + kw.size() == m_text.size() ||
                 !std::isalnum(static_cast<unsigned char>(m_text[m_i + kw.size()])))) {
                return true;
            }
        }
        return false;
    }

    ast::term literal(std::string text, const ast::position& pos) {
        ast::term t;
        t.what = ast::term::kind::literal;
        t.pos = pos;
        t.name = std::move(text);
        return t;
    }

    // --- boolean structure ---------------------------------------------------------------
    std::unique_ptr<ast::expr> make_logical(ast::expr::kind k,
                                            std::vector<std::unique_ptr<ast::expr>> children,
                                            const ast::position& pos) {
        if (children.size() == 1) return std::move(children[0]);
        auto e = std::make_unique<ast::expr>();
        e->what = k;
        e->pos = pos;
        e->children = std::move(children);
        return e;
    }

    std::unique_ptr<ast::expr> parse_or() {
        depth_guard g(*this);
        skip_blanks();
        auto pos = m_pos;
        std::vector<std::unique_ptr<ast::expr>> children;
        children.push_back(parse_and());
        skip_blanks();
        while (accept("or")) {
            if (skip_blanks()) {
                children.push_back(parse_and());
            } else if (accept("(")) {
                children.push_back(parse_group_rest());
            } else {
                fail("expected a blank or '(' after 'or'");
            }
            skip_blanks();
        }
        return make_logical(ast::expr::kind::or_, std::move(children), pos);
    }

    std::unique_ptr<ast::expr> parse_and() {
        depth_guard g(*this);
        skip_blanks();
        auto pos = m_pos;
        std::vector<std::unique_ptr<ast::expr>> children;
        children.push_back(parse_not());
        skip_blanks();
        while (accept("and")) {
            if (skip_blanks()) {
                children.push_back(parse_not());
            } else if (accept("(")) {
                children.push_back(parse_group_rest());
            } else {
                fail("expected a blank or '(' after 'and'");
            }
            skip_blanks();
        }
        return make_logical(ast::expr::kind::and_, std::move(children), pos);
    }

    std::unique_ptr<ast::expr> parse_not() {
        depth_guard g(*this);
        skip_blanks();
        auto pos = m_pos;
        bool negate = false;
        // "not" needs whitespace after it (or an opening parenthesis, below): "not.x" is a field.
        while (rest().substr(0, 3) == "not" && is_posix_space(peek(3))) {
            advance(3);
            while (is_posix_space(peek())) advance(1);
            negate = !negate;
        }
        std::unique_ptr<ast::expr> child;
        if (accept("not(")) {
            negate = !negate;
            child = parse_group_rest();
        } else {
            child = parse_check();
        }
        if (!negate) return child;
        auto e = std::make_unique<ast::expr>();
        e->what = ast::expr::kind::not_;
        e->pos = pos;
        e->children.push_back(std::move(child));
        return e;
    }

    // After an opening parenthesis: a whole expression and the closing one.
    std::unique_ptr<ast::expr> parse_group_rest() {
        depth_guard g(*this);
        skip_blanks();
        auto e = parse_or();
        skip_blanks();
        if (!accept(")")) fail("expected ')'");
        return e;
    }

    std::unique_ptr<ast::expr> parse_check() {
        depth_guard g(*this);
        skip_blanks();
        auto pos = m_pos;
        if (accept("(")) return parse_group_rest();
        if (size_t n = field_name_len()) {
            auto lhs = parse_field_rest(take(n), pos);
            return parse_condition(std::move(lhs), pos);
        }
        std::string tname;
        if (lex_transformer_keyword(tname)) {
            skip_blanks();
            auto lhs = parse_transformer_rest(tname, pos);
            return parse_condition(std::move(lhs), pos);
        }
        if (size_t n = identifier_len(m_i)) {
            auto e = std::make_unique<ast::expr>();
            e->what = ast::expr::kind::identifier;
            e->pos = pos;
            e->identifier = take(n);
            return e;
        }
        fail(m_i == m_text.size() ? "unexpected end of filter: expected a '(', a field check or an identifier"
                                  : "expected a '(', a field check or an identifier");
    }

    // --- operands -----------------------------------------------------------------------
    std::optional<std::string> parse_optional_arg() {
        if (!accept("[")) return std::nullopt;
        std::string arg;
        if (!lex_quoted(arg)) {
            size_t n = field_arg_bare_len();
            if (n == 0) fail("expected a field argument (a quoted or bare string) after '['");
            arg = take(n);
        }
        if (!accept("]")) fail("expected ']' closing the field argument");
        return arg;
    }

    ast::term parse_field_rest(std::string name, const ast::position& pos) {
        ast::term t;
        t.what = ast::term::kind::field;
        t.pos = pos;
        t.name = std::move(name);
        t.arg = parse_optional_arg();
        return t;
    }

    // After "name(": arguments, ')' and an optional [arg].
    ast::term parse_transformer_rest(const std::string& name, const ast::position& pos) {
        depth_guard g(*this);
        ast::term t;
        t.what = ast::term::kind::transformer;
        t.pos = pos;
        t.name = name;
        skip_blanks();
        do {
            t.children.push_back(parse_transformer_arg());
            skip_blanks();
        } while (accept(","));
        skip_blanks();
        if (!accept(")")) fail("expected ')' closing '" + name + "('");
        t.arg = parse_optional_arg();
        return t;
    }

    bool lex_number(std::string& out) {
        size_t n = number_len();
        if (n == 0) return false;
        out = take(n);
        return true;
    }

    ast::term parse_transformer_arg() {
        depth_guard g(*this);
        skip_blanks();
        auto pos = m_pos;
        std::string s;
        if (lex_number(s) || lex_quoted(s)) return literal(std::move(s), pos);
        if (accept("(")) return parse_transformer_list(pos);
        if (lex_transformer_keyword(s)) return parse_transformer_rest(s, pos);
        if (size_t n = field_name_len()) return parse_field_rest(take(n), pos);
        fail("expected a transformer argument: a field, a transformer, a quoted string, a number or a list");
    }

    ast::term parse_transformer_list(const ast::position& pos) {
        ast::term t;
        t.what = ast::term::kind::list;
        t.pos = pos;
        skip_blanks();
        if (accept(")")) return t;
        auto element = [&] {
            auto epos = m_pos;
            std::string s;
            if (size_t n = field_name_len()) return parse_field_rest(take(n), epos);
            if (lex_transformer_keyword(s)) {
                skip_blanks();
                return parse_transformer_rest(s, epos);
            }
            if (lex_quoted(s) || lex_number(s)) return literal(std::move(s), epos);
            fail("expected a list element: a field, a transformer, a quoted string or a number");
        };
        t.children.push_back(element());
        skip_blanks();
        while (accept(",")) {
            skip_blanks();
            t.children.push_back(element());
            skip_blanks();
        }
        if (!accept(")")) fail("expected ')' closing the list");
        return t;
    }

    // val(field) or a transformer, as the right-hand side of a comparison; nothing if neither.
    std::optional<ast::term> try_parse_rhs_operand() {
        depth_guard g(*this);
        skip_blanks();
        auto pos = m_pos;
        if (accept("val(")) {
            skip_blanks();
            auto fpos = m_pos;
            size_t n = field_name_len();
            if (n == 0) fail("expected a field inside 'val('");
            ast::term t;
            t.what = ast::term::kind::transformer;
            t.pos = pos;
            t.name = "val";
            t.children.push_back(parse_field_rest(take(n), fpos));
            skip_blanks();
            if (!accept(")")) fail("expected ')' closing 'val('");
            t.arg = parse_optional_arg();
            return t;
        }
        std::string name;
        if (lex_transformer_keyword(name)) {
            skip_blanks();
            return parse_transformer_rest(name, pos);
        }
        return std::nullopt;
    }

    // A literal string value: quoted, or bare (no blanks, parentheses, quotes, '=' or ',').
    bool lex_string_value(std::string& out) {
        if (lex_quoted(out)) return true;
        size_t n = bare_string_len();
        if (n == 0) return false;
        out = take(n);
        return true;
    }

    ast::term parse_list(const ast::position& pos) {
        ast::term t;
        t.what = ast::term::kind::list;
        t.pos = pos;
        skip_blanks();
        auto epos = m_pos;
        std::string s;
        if (lex_string_value(s)) {
            t.children.push_back(literal(std::move(s), epos));
            skip_blanks();
            while (accept(",")) {
                skip_blanks();
                epos = m_pos;
                if (!lex_string_value(s)) fail("expected a value after ',' in the list");
                t.children.push_back(literal(std::move(s), epos));
                skip_blanks();
            }
        }
        if (!accept(")")) fail("expected ')' closing the list");
        return t;
    }

    std::unique_ptr<ast::expr> parse_condition(ast::term lhs, const ast::position& pos) {
        depth_guard g(*this);
        auto e = std::make_unique<ast::expr>();
        e->what = ast::expr::kind::check;
        e->pos = pos;
        e->lhs = std::move(lhs);
        skip_blanks();
        if (accept("exists")) {
            e->op = "exists";
            return e;
        }
        for (auto op : k_num_ops) {
            if (!accept(op)) continue;
            e->op = std::string(op);
            if (auto t = try_parse_rhs_operand()) {
                e->rhs = std::move(t);
                return e;
            }
            auto vpos = m_pos;
            std::string n;
            if (!lex_number(n)) fail("expected a number or a field transformer after '" + e->op + "'");
            e->rhs = literal(std::move(n), vpos);
            return e;
        }
        bool had_blank = false;
        for (auto op : k_symbol_ops) {
            if (accept(op)) {
                e->op = std::string(op);
                had_blank = skip_blanks();
                break;
            }
        }
        if (e->op.empty()) {
            for (auto op : k_word_ops) {
                if (accept_word_then_blank(op)) {
                    e->op = std::string(op);
                    had_blank = true;
                    break;
                }
            }
        }
        if (!e->op.empty()) {
            // "= anyof (a, b)": a modifier applies the operator to each listed value.
            size_t i = m_i;
            auto mpos = m_pos;
            if (had_blank) {
                for (auto mod : k_modifiers) {
                    if (!accept_word_then_blank(mod)) continue;
                    if ((peek() == '(' || identifier_len(m_i) > 0) && !bool_keyword_follows()) {
                        e->modifier = std::string(mod);
                        e->rhs = parse_list_or_identifier(false, "'" + e->op + " " + e->modifier + "'");
                        return e;
                    }
                    break;
                }
            }
            rewind(i, mpos);
            if (auto t = try_parse_rhs_operand()) {
                e->rhs = std::move(t);
                return e;
            }
            auto vpos = m_pos;
            std::string v;
            if (!lex_string_value(v)) fail("expected a value after '" + e->op + "'");
            e->rhs = literal(std::move(v), vpos);
            return e;
        }
        for (auto op : k_list_ops) {
            if (!accept(op)) continue;
            e->op = std::string(op);
            e->rhs = parse_list_or_identifier(true, "'" + e->op + "'");
            return e;
        }
        fail(
            "expected a comparison operator: one of 'exists', '<=', '<', '>=', '>', '==', '=', '!=', 'glob', "
            "'iglob', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', "
            "'regex', "
            "'intersects', 'in', 'pmatch'");
    }

    ast::term parse_list_or_identifier(bool allow_operand, const std::string& after) {
        depth_guard g(*this);
        skip_blanks();
        auto pos = m_pos;
        if (accept("(")) return parse_list(pos);
        if (allow_operand) {
            if (auto t = try_parse_rhs_operand()) return std::move(*t);
        }
        if (size_t n = identifier_len(m_i)) return literal(take(n), pos);
        fail("expected a list or an identifier after " + after);
    }
};

std::string describe_position(const ast::position& pos) {
    if (pos.line == 1) return "column " + std::to_string(pos.column);
    return "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column);
}

}  // namespace

filter_error::filter_error(const ast::position& pos, const std::string& detail)
    : std::runtime_error("filter error at " + describe_position(pos) + ": " + detail),
      m_pos(pos),
      m_detail(detail) {}

std::unique_ptr<ast::expr> parse(std::string_view text, uint32_t max_depth) {
    return parser(text, max_depth).run();
}

ast::term parse_value_prefix(std::string_view text, size_t& consumed) {
    return parser(text, 100).run_value(consumed);
}

}  // namespace sinsp::filter
