#pragma once
// A small GGUF writer for tests only: builds v1/v2/v3 images byte by byte (independently of the
// reader) so tests can make synthetic files and then corrupt them. Not for production use: it
// trusts its input.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/ggml_type.h"
#include "core/model/gguf_value.h"

namespace kvscope::test {

inline GgufValue ggufU8(std::uint8_t v) {
    return GgufValue::ofUnsigned(GgufType::Uint8, v);
}
inline GgufValue ggufI8(std::int8_t v) {
    return GgufValue::ofSigned(GgufType::Int8, v);
}
inline GgufValue ggufU16(std::uint16_t v) {
    return GgufValue::ofUnsigned(GgufType::Uint16, v);
}
inline GgufValue ggufI16(std::int16_t v) {
    return GgufValue::ofSigned(GgufType::Int16, v);
}
inline GgufValue ggufU32(std::uint32_t v) {
    return GgufValue::ofUnsigned(GgufType::Uint32, v);
}
inline GgufValue ggufI32(std::int32_t v) {
    return GgufValue::ofSigned(GgufType::Int32, v);
}
inline GgufValue ggufU64(std::uint64_t v) {
    return GgufValue::ofUnsigned(GgufType::Uint64, v);
}
inline GgufValue ggufI64(std::int64_t v) {
    return GgufValue::ofSigned(GgufType::Int64, v);
}
inline GgufValue ggufF32(float v) {
    return GgufValue::ofFloat(GgufType::Float32, v);
}
inline GgufValue ggufF64(double v) {
    return GgufValue::ofFloat(GgufType::Float64, v);
}
inline GgufValue ggufBool(bool v) {
    return GgufValue::ofBool(v);
}
inline GgufValue ggufStr(std::string v) {
    return GgufValue::ofString(std::move(v));
}
inline GgufValue ggufStrings(const std::vector<std::string>& items) {
    GgufValue::Array values;
    for (const std::string& s : items)
        values.push_back(ggufStr(s));
    return GgufValue::ofArray(GgufType::String, std::move(values));
}
inline GgufValue ggufF32s(const std::vector<float>& items) {
    GgufValue::Array values;
    for (float f : items)
        values.push_back(ggufF32(f));
    return GgufValue::ofArray(GgufType::Float32, std::move(values));
}
inline GgufValue ggufI32s(const std::vector<std::int32_t>& items) {
    GgufValue::Array values;
    for (std::int32_t i : items)
        values.push_back(ggufI32(i));
    return GgufValue::ofArray(GgufType::Int32, std::move(values));
}

/// Little-endian bytes in the layout of one GGUF version (v1: 32-bit counts and lengths).
class GgufBytes {
public:
    explicit GgufBytes(std::uint32_t version) : m_version(version) {}

    template <typename T>
    void raw(T value) {
        static_assert(std::endian::native == std::endian::little);
        const std::size_t at = m_bytes.size();
        m_bytes.resize(at + sizeof(T));
        std::memcpy(m_bytes.data() + at, &value, sizeof(T));
    }
    void u32(std::uint32_t v) { raw(v); }
    void u64(std::uint64_t v) { raw(v); }
    /// A count or length: 32 bits in v1 (truncated), 64 bits later.
    void count(std::uint64_t n) {
        if (m_version == 1) {
            raw(std::uint32_t(n));
        } else {
            raw(n);
        }
    }
    void str(std::string_view s) {
        count(s.size());
        for (char ch : s)
            m_bytes.push_back(std::byte(ch));
    }
    void bytes(const std::vector<std::byte>& data) {
        m_bytes.insert(m_bytes.end(), data.begin(), data.end());
    }
    void padTo(std::uint64_t alignment) {
        while (m_bytes.size() % alignment != 0)
            m_bytes.push_back(std::byte{0});
    }
    /// The value's payload, without its type id (array payloads carry their element type).
    void value(const GgufValue& v) {
        switch (v.type()) {
            case GgufType::Uint8:
                raw(std::uint8_t(v.asUnsigned()));
                break;
            case GgufType::Int8:
                raw(std::int8_t(v.asSigned()));
                break;
            case GgufType::Uint16:
                raw(std::uint16_t(v.asUnsigned()));
                break;
            case GgufType::Int16:
                raw(std::int16_t(v.asSigned()));
                break;
            case GgufType::Uint32:
                raw(std::uint32_t(v.asUnsigned()));
                break;
            case GgufType::Int32:
                raw(std::int32_t(v.asSigned()));
                break;
            case GgufType::Uint64:
                raw(std::uint64_t(v.asUnsigned()));
                break;
            case GgufType::Int64:
                raw(std::int64_t(v.asSigned()));
                break;
            case GgufType::Float32:
                raw(float(v.asFloat()));
                break;
            case GgufType::Float64:
                raw(double(v.asFloat()));
                break;
            case GgufType::Bool:
                raw(std::uint8_t(v.asBool() ? 1 : 0));
                break;
            case GgufType::String:
                str(v.asString());
                break;
            case GgufType::Array:
                u32(std::uint32_t(v.elementType()));
                count(v.asArray().size());
                for (const GgufValue& e : v.asArray())
                    value(e);
                break;
        }
    }

    std::size_t size() const { return m_bytes.size(); }
    std::vector<std::byte>& data() { return m_bytes; }

private:
    std::uint32_t m_version;
    std::vector<std::byte> m_bytes;
};

/// Builds a whole GGUF image: header, metadata, tensor infos, aligned data section.
class GgufWriter {
public:
    /// Offsets of the fields tests like to corrupt, filled by build().
    struct Layout {
        std::size_t tensor_count_at = 0;
        std::size_t kv_count_at = 0;
        std::vector<std::size_t> kv_at;             // [n_kv] where each key's length starts
        std::vector<std::size_t> value_at;          // [n_kv] where each value starts (after type)
        std::vector<std::size_t> tensor_info_at;    // [n_tensors] where each name's length starts
        std::vector<std::size_t> tensor_type_at;    // [n_tensors]
        std::vector<std::size_t> tensor_offset_at;  // [n_tensors]
        std::size_t data_at = 0;
    };

    explicit GgufWriter(std::uint32_t version = 3) : m_version(version) {}

    /// general.alignment is honoured when set here as a uint32 power of two (it is written as a
    /// key too; other values are written but the layout stays 32-aligned).
    GgufWriter& kv(std::string key, GgufValue value) {
        if (key == "general.alignment" && value.type() == GgufType::Uint32) {
            const std::uint64_t a = value.asUnsigned();
            if (a != 0 && (a & (a - 1)) == 0) m_alignment = a;  // a bad one is the test's lie
        }
        m_kvs.emplace_back(std::move(key), std::move(value));
        return *this;
    }
    /// A tensor with raw `data`; dims in GGUF order (ne[0] first). Precondition: data holds the
    /// type's bytes for those dims (not checked: tests may lie on purpose).
    GgufWriter& tensor(std::string name, std::uint32_t type, std::vector<std::uint64_t> dims,
                       std::vector<std::byte> data) {
        m_tensors.push_back({std::move(name), type, std::move(dims), std::move(data)});
        return *this;
    }
    GgufWriter& tensor(std::string name, GgmlType type, std::vector<std::uint64_t> dims,
                       std::vector<std::byte> data) {
        return tensor(std::move(name), std::uint32_t(type), std::move(dims), std::move(data));
    }
    GgufWriter& tensorF32(std::string name, std::vector<std::uint64_t> dims, const float* values,
                          std::size_t n) {
        std::vector<std::byte> data(n * 4);
        if (n) std::memcpy(data.data(), values, n * 4);
        return tensor(std::move(name), GgmlType::F32, std::move(dims), std::move(data));
    }
    GgufWriter& tensorF32(std::string name, std::vector<std::uint64_t> dims,
                          const std::vector<float>& values) {
        return tensorF32(std::move(name), std::move(dims), values.data(), values.size());
    }

    std::vector<std::byte> build(Layout* layout = nullptr) const {
        Layout l;
        GgufBytes out(m_version);
        for (char ch : std::string_view("GGUF"))
            out.raw(ch);
        out.u32(m_version);
        l.tensor_count_at = out.size();
        out.count(m_tensors.size());
        l.kv_count_at = out.size();
        out.count(m_kvs.size());
        for (const auto& [key, value] : m_kvs) {
            l.kv_at.push_back(out.size());
            out.str(key);
            out.u32(std::uint32_t(value.type()));
            l.value_at.push_back(out.size());
            out.value(value);
        }
        std::uint64_t offset = 0;
        for (const Tensor& t : m_tensors) {
            l.tensor_info_at.push_back(out.size());
            out.str(t.name);
            out.u32(std::uint32_t(t.dims.size()));
            for (std::uint64_t d : t.dims)
                out.count(d);
            l.tensor_type_at.push_back(out.size());
            out.u32(t.type);
            l.tensor_offset_at.push_back(out.size());
            out.u64(offset);
            offset += (t.data.size() + m_alignment - 1) / m_alignment * m_alignment;
        }
        out.padTo(m_alignment);
        l.data_at = out.size();
        for (const Tensor& t : m_tensors) {
            out.bytes(t.data);
            out.padTo(m_alignment);
        }
        if (!m_tensors.empty()) {
            // Trim the last tensor's padding: the file ends where its data ends.
            const Tensor& last = m_tensors.back();
            const std::size_t padded =
                (last.data.size() + m_alignment - 1) / m_alignment * m_alignment;
            out.data().resize(out.size() - (padded - last.data.size()));
        }
        if (layout) *layout = l;
        return std::move(out.data());
    }

private:
    struct Tensor {
        std::string name;
        std::uint32_t type;
        std::vector<std::uint64_t> dims;
        std::vector<std::byte> data;
    };
    std::uint32_t m_version;
    std::uint64_t m_alignment = 32;
    std::vector<std::pair<std::string, GgufValue>> m_kvs;
    std::vector<Tensor> m_tensors;
};

/// Writes `bytes` to `path` (tests only).
inline void writeBytes(const std::string& path, const std::vector<std::byte>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!out) throw std::runtime_error("cannot write test file " + path);
}

/// Overwrites bytes at `at` with the little-endian bytes of `value` (for corruption tests).
template <typename T>
void patch(std::vector<std::byte>& bytes, std::size_t at, T value) {
    std::memcpy(bytes.data() + at, &value, sizeof(T));
}

}  // namespace kvscope::test
