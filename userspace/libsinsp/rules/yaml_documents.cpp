// See yaml_documents.h.
#include "yaml_documents.h"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>

#include <sstream>

namespace sinsp::rules::detail {

namespace {

// Records where each document starts; nothing else is built.
class document_starts : public YAML::EventHandler {
  public:
    YAML::Mark last;
    bool stuck = false;  // a document started where the previous one did: no token consumed
    size_t documents = 0;

    void OnDocumentStart(const YAML::Mark& mark) override {
        if (documents > 0 && mark.pos == last.pos) stuck = true;
        last = mark;
        ++documents;
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

}  // namespace

std::vector<YAML::Node> load_documents(const std::string& text) {
    {
        std::istringstream in(text);
        YAML::Parser parser(in);
        document_starts starts;
        while (parser.HandleNextDocument(starts)) {
            if (starts.stuck)
                throw YAML::ParserException(starts.last,
                                            "unexpected token (the parser cannot go on from here)");
        }
    }
    return YAML::LoadAll(text);
}

}  // namespace sinsp::rules::detail
