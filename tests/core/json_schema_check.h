#pragma once
// A small JSON Schema (2020-12) checker for the tests: the keywords docs/trace.schema.json uses
// ($ref to "#/$defs/NAME", type, const, enum, required, properties, additionalProperties: false,
// items, minItems, minimum, maximum, pattern). An unknown keyword FAILs, so the schema cannot
// silently ask for more than is checked.
#include <catch2/catch.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "core/util/json_value.h"

namespace kvscope::test {

class JsonSchemaCheck {
public:
    explicit JsonSchemaCheck(const JsonValue& schema) : m_root(schema) {}

    /// Every violation, as "PATH: what"; empty when `doc` conforms.
    std::vector<std::string> violations(const JsonValue& doc) {
        m_found.clear();
        check(doc, m_root);
        return m_found;
    }

private:
    static bool equal(const JsonValue& a, const JsonValue& b) {
        if (a.kind() != b.kind()) return false;
        switch (a.kind()) {
            case JsonValue::Kind::Null:
                return true;
            case JsonValue::Kind::Bool:
                return a.asBool() == b.asBool();
            case JsonValue::Kind::Number:
                return a.asDouble() == b.asDouble();
            case JsonValue::Kind::String:
                return a.asString() == b.asString();
            default:
                FAIL("schema const/enum on arrays or objects is not supported");
                return false;
        }
    }

    static bool hasType(const JsonValue& doc, const std::string& type) {
        if (type == "object") return doc.isObject();
        if (type == "array") return doc.isArray();
        if (type == "string") return doc.isString();
        if (type == "number") return doc.isNumber();
        if (type == "integer") return doc.isNumber() && doc.isInteger();
        if (type == "boolean") return doc.isBool();
        if (type == "null") return doc.isNull();
        FAIL("unknown schema type " << type);
        return false;
    }

    void report(const JsonValue& doc, const std::string& what) {
        m_found.push_back(doc.path() + ": " + what);
    }

    void check(const JsonValue& doc, const JsonValue& schema) {
        static const std::set<std::string> kIgnored = {"$schema", "$id", "title", "description",
                                                       "$defs"};
        for (const JsonMember& member : schema.members()) {
            const std::string& key = member.key;
            const JsonValue& rule = member.value;
            if (kIgnored.count(key) > 0) continue;
            if (key == "$ref") {
                const std::string prefix = "#/$defs/";
                REQUIRE(rule.asString().rfind(prefix, 0) == 0);
                check(doc, m_root.at("$defs").at(rule.asString().substr(prefix.size())));
            } else if (key == "type") {
                if (!hasType(doc, rule.asString()))
                    report(doc, "expected " + rule.asString() + ", got " + doc.describe());
            } else if (key == "const") {
                if (!equal(doc, rule)) report(doc, "expected " + rule.describe());
            } else if (key == "enum") {
                bool any = false;
                for (const JsonValue& option : rule.items())
                    any = any || equal(doc, option);
                if (!any) report(doc, "not one of the enum values: " + doc.describe());
            } else if (key == "required") {
                if (!doc.isObject()) continue;
                for (const JsonValue& name : rule.items())
                    if (doc.find(name.asString()) == nullptr)
                        report(doc, "missing member " + name.asString());
            } else if (key == "properties") {
                if (!doc.isObject()) continue;
                for (const JsonMember& property : rule.members())
                    if (const JsonValue* value = doc.find(property.key))
                        check(*value, property.value);
            } else if (key == "additionalProperties") {
                REQUIRE_FALSE(rule.asBool());
                if (!doc.isObject()) continue;
                const JsonValue& properties = schema.at("properties");
                for (const JsonMember& present : doc.members())
                    if (properties.find(present.key) == nullptr)
                        report(doc, "member not in the schema: " + present.key);
            } else if (key == "items") {
                if (!doc.isArray()) continue;
                for (const JsonValue& item : doc.items())
                    check(item, rule);
            } else if (key == "minItems") {
                if (doc.isArray() && std::int64_t(doc.size()) < rule.asInt64())
                    report(doc, "fewer than " + std::to_string(rule.asInt64()) + " items");
            } else if (key == "minimum") {
                if (doc.isNumber() && doc.asDouble() < rule.asDouble())
                    report(doc, "below the minimum " + rule.describe());
            } else if (key == "maximum") {
                if (doc.isNumber() && doc.asDouble() > rule.asDouble())
                    report(doc, "above the maximum " + rule.describe());
            } else if (key == "pattern") {
                if (doc.isString() &&
                    !std::regex_search(doc.asString(), std::regex(rule.asString())))
                    report(doc, "does not match " + rule.asString());
            } else {
                FAIL("schema keyword not supported by the test checker: " << key);
            }
        }
    }

    const JsonValue& m_root;
    std::vector<std::string> m_found;
};

}  // namespace kvscope::test
