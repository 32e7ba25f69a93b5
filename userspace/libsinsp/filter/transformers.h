// Field transformers: tolower, toupper, b64, basename, len (val is the identity and needs none).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sinsp/filter_field.h"

namespace sinsp::filter {

class transformer {
  public:
    virtual ~transformer() = default;
    // Rewrites `values` in place; views it creates point into buffers this object owns, valid
    // until the next apply(). False when a value cannot be transformed (bad base64).
    virtual bool apply(value_list& values) = 0;
};

// The reference's type rules: on success updates `type`/`is_list` to the output's and returns
// a transformer; on a type the transformer does not accept returns nullptr. Throws
// std::invalid_argument for a name that is not a supported single-field transformer.
std::unique_ptr<transformer> make_transformer(std::string_view name, ppm_param_type& type, bool& is_list);

}  // namespace sinsp::filter
