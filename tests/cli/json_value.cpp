#include "json_value.h"

#include "core/util/json_value.h"

namespace kvscope::test {

namespace {

/// The test view of a value parsed by the engine's strict parser (core/util/json_value.h).
JsonValue view(const kvscope::JsonValue& value) {
    using Kind = kvscope::JsonValue::Kind;
    JsonValue out;
    switch (value.kind()) {
        case Kind::Null:
            out.type = JsonValue::Type::Null;
            break;
        case Kind::Bool:
            out.type = JsonValue::Type::Bool;
            out.boolean = value.asBool();
            break;
        case Kind::Number:
            out.type = JsonValue::Type::Number;
            out.number = value.asDouble();
            break;
        case Kind::String:
            out.type = JsonValue::Type::String;
            out.string = value.asString();
            break;
        case Kind::Array:
            out.type = JsonValue::Type::Array;
            for (const kvscope::JsonValue& item : value.items())
                out.array.push_back(view(item));
            break;
        case Kind::Object:
            out.type = JsonValue::Type::Object;
            for (const kvscope::JsonMember& member : value.members())
                out.object.emplace(member.key, view(member.value));
            break;
    }
    return out;
}

}  // namespace

const JsonValue& JsonValue::operator[](const std::string& key) const {
    if (type != Type::Object) throw std::out_of_range("JSON: not an object, looking for " + key);
    const auto it = object.find(key);
    if (it == object.end()) throw std::out_of_range("JSON: no key '" + key + "'");
    return it->second;
}

const JsonValue& JsonValue::operator[](std::size_t index) const {
    if (type != Type::Array || index >= array.size()) {
        throw std::out_of_range("JSON: no array element " + std::to_string(index));
    }
    return array[index];
}

JsonValue parseJson(std::string_view text) {
    return view(kvscope::parseJson(text, "CLI output"));
}

}  // namespace kvscope::test
