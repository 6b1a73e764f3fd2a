#include "core/model/gguf_file.h"

#include <cstring>
#include <limits>
#include <stdexcept>
#include <utility>

#include "core/model/dequantize.h"
#include "core/model/gguf_cursor.h"
#include "core/model/gguf_value_reader.h"
#include "core/util/error.h"
#include "core/util/mapped_file.h"

namespace kvscope {

using gguf::AnyInteger;
using gguf::ArrayHeader;
using gguf::isInteger;
using gguf::readArrayHeader;
using gguf::readInteger;
using gguf::readScalar;
using gguf::readType;
using gguf::readValue;
using gguf::skipValue;

namespace {

constexpr std::uint32_t kMaxDims = 4;  // GGML_MAX_DIMS
constexpr std::int64_t kDefaultAlignment = 32;

std::string typeText(const GgufMetadataEntry& entry) {
    if (entry.type != GgufType::Array) return std::string(ggufTypeName(entry.type));
    return "array of " + std::string(ggufTypeName(entry.element_type));
}

}  // namespace

// --- opening ------------------------------------------------------------------------------

GgufFile GgufFile::open(const std::string& path) {
    auto mapped = std::make_shared<MappedFile>(MappedFile::open(path));
    GgufFile file;
    file.m_path = path;
    file.m_bytes = mapped->bytes();
    file.m_owner = std::move(mapped);
    file.parse();
    return file;
}

GgufFile GgufFile::fromBytes(std::vector<std::byte> bytes, std::string name) {
    auto owned = std::make_shared<std::vector<std::byte>>(std::move(bytes));
    GgufFile file;
    file.m_path = std::move(name);
    file.m_bytes = std::span<const std::byte>(owned->data(), owned->size());
    file.m_owner = std::move(owned);
    file.parse();
    return file;
}

void GgufFile::parse() {
    GgufCursor head(m_bytes, m_path, 1);
    if (m_bytes.size() < 4 || std::memcmp(m_bytes.data(), "GGUF", 4) != 0) {
        std::string shown(reinterpret_cast<const char*>(m_bytes.data()),
                          std::min<std::size_t>(4, m_bytes.size()));
        head.fail(
            0, "not a GGUF file: the magic is " + quoteForDisplay(shown) + ", expected \"GGUF\"");
    }
    head.skip(4, "magic");
    const std::uint32_t version = head.readU32("version");
    if (version < 1 || version > 3) {
        const std::uint32_t swapped = __builtin_bswap32(version);
        if (swapped >= 1 && swapped <= 3) head.fail(4, "big-endian GGUF files are not supported");
        head.fail(4, "unsupported GGUF version " + std::to_string(version) +
                         " (this reader knows 1, 2 and 3)");
    }
    m_version = version;

    GgufCursor c(m_bytes, m_path, m_version, head.offset());
    const std::int64_t tensor_count_at = c.offset();
    const std::int64_t n_tensors = c.readCount("tensor count");
    const std::int64_t kv_count_at = c.offset();
    const std::int64_t n_kv = c.readCount("metadata key/value count");
    // Each pair takes at least: a key length, a 1-byte key, a type id and a 1-byte value.
    const std::int64_t min_kv_size = c.countSize() + 1 + 4 + 1;
    if (n_kv > c.remaining() / min_kv_size) {
        c.fail(kv_count_at, "metadata key/value count " + std::to_string(n_kv) +
                                " cannot fit in the " + std::to_string(c.remaining()) +
                                " bytes left in the file");
    }
    parseMetadata(c, n_kv);

    if (const GgufMetadataEntry* entry = findEntry("general.alignment")) {
        const std::optional<std::uint64_t> alignment = findUint("general.alignment");
        if (*alignment == 0 || (*alignment & (*alignment - 1)) != 0 || *alignment > (1u << 30)) {
            GgufCursor(m_bytes, m_path, m_version)
                .fail(entry->offset, "general.alignment " + std::to_string(*alignment) +
                                         " is not a power of two in 1..2^30");
        }
        m_alignment = std::int64_t(*alignment);
    } else {
        m_alignment = kDefaultAlignment;
    }

    // Each tensor info takes at least: a name length, n_dims, one dim, a type id, an offset.
    const std::int64_t min_info_size = c.countSize() + 4 + c.countSize() + 4 + 8;
    if (n_tensors > c.remaining() / min_info_size) {
        c.fail(tensor_count_at, "tensor count " + std::to_string(n_tensors) +
                                    " cannot fit in the " + std::to_string(c.remaining()) +
                                    " bytes left after the metadata");
    }
    const std::vector<std::int64_t> offset_fields = parseTensorInfos(c, n_tensors);
    placeTensors(c.offset(), offset_fields);
}

void GgufFile::parseMetadata(GgufCursor& c, std::int64_t n_kv) {
    m_metadata.reserve(std::size_t(n_kv));  // checked against the file size by the caller
    for (std::int64_t i = 0; i < n_kv; ++i) {
        const std::int64_t entry_at = c.offset();
        c.setContext("metadata entry #" + std::to_string(i));
        GgufMetadataEntry entry;
        entry.key = c.readString("key");
        if (entry.key.empty()) c.fail(entry_at, "empty key");
        c.setContext("key '" + entry.key + "'");
        if (m_metadata_index.count(entry.key) != 0) c.fail(entry_at, "duplicate key");
        entry.type = readType(c, "value type");
        entry.offset = c.offset();
        if (entry.type == GgufType::Array) {
            GgufCursor peek(m_bytes, m_path, m_version, entry.offset);
            peek.setContext("key '" + entry.key + "'");
            const ArrayHeader header = readArrayHeader(peek);
            entry.element_type = header.element_type;
            entry.count = header.count;
        }
        skipValue(c, entry.type, 0);
        m_metadata_index.emplace(entry.key, m_metadata.size());
        m_metadata.push_back(std::move(entry));
    }
    c.setContext("");
}

std::vector<std::int64_t> GgufFile::parseTensorInfos(GgufCursor& c, std::int64_t n_tensors) {
    m_tensors.reserve(std::size_t(n_tensors));  // checked against the file size by the caller
    std::vector<std::int64_t> offset_fields;    // [n_tensors] where each offset field lies
    offset_fields.reserve(std::size_t(n_tensors));
    for (std::int64_t i = 0; i < n_tensors; ++i) {
        const std::int64_t info_at = c.offset();
        c.setContext("tensor #" + std::to_string(i));
        GgufTensorInfo t;
        t.name = c.readString("tensor name");
        c.setContext("tensor '" + t.name + "'");
        if (m_tensor_index.count(t.name) != 0) c.fail(info_at, "duplicate tensor name");

        const std::int64_t dims_at = c.offset();
        const std::uint32_t n_dims = c.readU32("n_dims");
        if (n_dims < 1 || n_dims > kMaxDims) {
            c.fail(dims_at, "n_dims " + std::to_string(n_dims) + " is not in 1..4");
        }
        t.n_elements = 1;
        for (std::uint32_t d = 0; d < n_dims; ++d) {
            const std::int64_t dim_at = c.offset();
            const std::int64_t dim = c.readCount("dimension " + std::to_string(d));
            t.dims.push_back(dim);
            if (__builtin_mul_overflow(t.n_elements, dim, &t.n_elements)) {
                c.fail(dim_at, "element count overflows 64 bits at dimension " + std::to_string(d) +
                                   " (" + std::to_string(dim) + ")");
            }
        }

        const std::int64_t type_at = c.offset();
        const std::uint32_t type_id = c.readU32("tensor type");
        const std::optional<GgmlTypeTraits> traits = ggmlTypeTraits(type_id);
        if (!traits) c.fail(type_at, "unknown ggml tensor type id " + std::to_string(type_id));
        t.type = GgmlType(type_id);
        if (t.n_elements % traits->block_size != 0) {
            c.fail(dims_at, std::to_string(t.n_elements) + " elements are not a whole number of " +
                                traits->name + " blocks of " + std::to_string(traits->block_size));
        }
        if (__builtin_mul_overflow(t.n_elements / traits->block_size, traits->type_size,
                                   &t.byte_size)) {
            c.fail(dims_at, "byte size overflows 64 bits");
        }

        const std::int64_t offset_at = c.offset();
        const std::uint64_t offset = c.readU64("tensor data offset");
        if (offset > std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
            c.fail(offset_at, "tensor data offset " + std::to_string(offset) + " exceeds 2^63 - 1");
        }
        t.offset = std::int64_t(offset);
        m_tensor_index.emplace(t.name, m_tensors.size());
        m_tensors.push_back(std::move(t));
        offset_fields.push_back(offset_at);
    }
    c.setContext("");
    return offset_fields;
}

void GgufFile::placeTensors(std::int64_t header_end,
                            const std::vector<std::int64_t>& offset_fields) {
    GgufCursor c(m_bytes, m_path, m_version);
    // header_end <= file size < 2^63 and alignment <= 2^30: no overflow.
    m_data_offset = (header_end + m_alignment - 1) / m_alignment * m_alignment;
    if (!m_tensors.empty() && m_data_offset > fileSize()) {
        c.fail(header_end, "the data section would start at offset " +
                               std::to_string(m_data_offset) + ", past the end of the file (" +
                               std::to_string(fileSize()) + " bytes)");
    }
    for (std::size_t i = 0; i < m_tensors.size(); ++i) {
        GgufTensorInfo& t = m_tensors[i];
        const std::int64_t at = offset_fields[i];
        c.setContext("tensor '" + t.name + "'");
        if (t.offset % m_alignment != 0) {
            c.fail(at, "tensor data offset " + std::to_string(t.offset) +
                           " is not a multiple of the alignment " + std::to_string(m_alignment));
        }
        std::int64_t end = 0;
        if (__builtin_add_overflow(m_data_offset, t.offset, &t.file_offset) ||
            __builtin_add_overflow(t.file_offset, t.byte_size, &end) || end > fileSize()) {
            c.fail(at, "tensor data (" + std::to_string(t.byte_size) + " bytes at data offset " +
                           std::to_string(t.offset) + ") lies past the end of the file (" +
                           std::to_string(fileSize()) + " bytes, data section at " +
                           std::to_string(m_data_offset) + ")");
        }
    }
}

// --- metadata lookups ---------------------------------------------------------------------

const GgufMetadataEntry* GgufFile::findEntry(std::string_view key) const {
    const auto it = m_metadata_index.find(std::string(key));
    return it == m_metadata_index.end() ? nullptr : &m_metadata[it->second];
}

void GgufFile::failTyped(const GgufMetadataEntry& entry, std::string_view expected) const {
    GgufCursor c(m_bytes, m_path, m_version);
    c.setContext("key '" + entry.key + "'");
    c.fail(entry.offset, "has type " + typeText(entry) + ", expected " + std::string(expected));
}

void GgufFile::failAtKey(std::string_view key, const std::string& what) const {
    GgufCursor c(m_bytes, m_path, m_version);
    c.setContext("key '" + std::string(key) + "'");
    const GgufMetadataEntry* entry = findEntry(key);
    c.fail(entry ? entry->offset : 0, what);
}

GgufValue GgufFile::value(const GgufMetadataEntry& entry) const {
    GgufCursor c(m_bytes, m_path, m_version, entry.offset);
    c.setContext("key '" + entry.key + "'");
    return readValue(c, entry.type, 0);
}

std::string GgufFile::summary(const GgufMetadataEntry& entry) const {
    if (entry.type == GgufType::Array) return arraySummary(entry.element_type, entry.count);
    return value(entry).summary();
}

std::optional<GgufValue> GgufFile::findValue(std::string_view key) const {
    const GgufMetadataEntry* entry = findEntry(key);
    if (!entry) return std::nullopt;
    return value(*entry);
}

std::optional<std::string> GgufFile::findString(std::string_view key) const {
    const GgufMetadataEntry* entry = findEntry(key);
    if (!entry) return std::nullopt;
    if (entry->type != GgufType::String) failTyped(*entry, "string");
    return value(*entry).asString();
}

std::optional<std::uint64_t> GgufFile::findUint(std::string_view key) const {
    const GgufMetadataEntry* entry = findEntry(key);
    if (!entry) return std::nullopt;
    if (!isInteger(entry->type)) failTyped(*entry, "an unsigned integer");
    GgufCursor c(m_bytes, m_path, m_version, entry->offset);
    c.setContext("key '" + entry->key + "'");
    const AnyInteger v = readInteger(c, entry->type);
    if (v.negative) {
        c.fail(entry->offset, "value " + std::to_string(v.signed_value) +
                                  " is negative, expected an unsigned integer");
    }
    return v.magnitude;
}

std::optional<std::int64_t> GgufFile::findInt(std::string_view key) const {
    const GgufMetadataEntry* entry = findEntry(key);
    if (!entry) return std::nullopt;
    if (!isInteger(entry->type)) failTyped(*entry, "an integer");
    GgufCursor c(m_bytes, m_path, m_version, entry->offset);
    c.setContext("key '" + entry->key + "'");
    const AnyInteger v = readInteger(c, entry->type);
    if (v.negative) return v.signed_value;
    if (v.magnitude > std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
        c.fail(entry->offset, "value " + std::to_string(v.magnitude) + " exceeds 2^63 - 1");
    }
    return std::int64_t(v.magnitude);
}

std::optional<double> GgufFile::findFloat(std::string_view key) const {
    const GgufMetadataEntry* entry = findEntry(key);
    if (!entry) return std::nullopt;
    if (!isFloat(entry->type)) failTyped(*entry, "float32 or float64");
    return value(*entry).asFloat();
}

std::optional<bool> GgufFile::findBool(std::string_view key) const {
    const GgufMetadataEntry* entry = findEntry(key);
    if (!entry) return std::nullopt;
    if (entry->type != GgufType::Bool) failTyped(*entry, "bool");
    return value(*entry).asBool();
}

std::optional<std::vector<std::string>> GgufFile::findStringArray(std::string_view key) const {
    const GgufMetadataEntry* entry = findEntry(key);
    if (!entry) return std::nullopt;
    if (entry->type != GgufType::Array || entry->element_type != GgufType::String)
        failTyped(*entry, "array of string");
    GgufCursor c(m_bytes, m_path, m_version, entry->offset);
    c.setContext("key '" + entry->key + "'");
    readArrayHeader(c);
    std::vector<std::string> out;
    out.reserve(std::size_t(entry->count));  // bounded by the file size (checked at open)
    for (std::int64_t i = 0; i < entry->count; ++i)
        out.push_back(c.readString("string"));
    return out;
}

std::optional<std::vector<float>> GgufFile::findFloatArray(std::string_view key) const {
    const GgufMetadataEntry* entry = findEntry(key);
    if (!entry) return std::nullopt;
    if (entry->type != GgufType::Array || !isFloat(entry->element_type))
        failTyped(*entry, "array of float32 or float64");
    GgufCursor c(m_bytes, m_path, m_version, entry->offset);
    c.setContext("key '" + entry->key + "'");
    readArrayHeader(c);
    std::vector<float> out;
    out.reserve(std::size_t(entry->count));
    for (std::int64_t i = 0; i < entry->count; ++i) {
        out.push_back(entry->element_type == GgufType::Float32
                          ? readScalar<float>(c, "float32")
                          : float(readScalar<double>(c, "float64")));
    }
    return out;
}

std::optional<std::vector<std::int64_t>> GgufFile::findIntArray(std::string_view key) const {
    const GgufMetadataEntry* entry = findEntry(key);
    if (!entry) return std::nullopt;
    if (entry->type != GgufType::Array || !isInteger(entry->element_type))
        failTyped(*entry, "array of integers");
    GgufCursor c(m_bytes, m_path, m_version, entry->offset);
    c.setContext("key '" + entry->key + "'");
    readArrayHeader(c);
    std::vector<std::int64_t> out;
    out.reserve(std::size_t(entry->count));
    for (std::int64_t i = 0; i < entry->count; ++i) {
        const std::int64_t at = c.offset();
        const AnyInteger v = readInteger(c, entry->element_type);
        if (!v.negative && v.magnitude > std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
            c.fail(at, "element " + std::to_string(i) + " exceeds 2^63 - 1");
        }
        out.push_back(v.negative ? v.signed_value : std::int64_t(v.magnitude));
    }
    return out;
}

// --- tensors ------------------------------------------------------------------------------

const GgufTensorInfo* GgufFile::findTensor(std::string_view name) const {
    const auto it = m_tensor_index.find(std::string(name));
    return it == m_tensor_index.end() ? nullptr : &m_tensors[it->second];
}

const GgufTensorInfo& GgufFile::requireTensor(std::string_view name) const {
    const GgufTensorInfo* tensor = findTensor(name);
    if (!tensor)
        throw InputError("GGUF " + m_path + ": no tensor named '" + std::string(name) + "'");
    return *tensor;
}

std::span<const std::byte> GgufFile::tensorBytes(const GgufTensorInfo& tensor) const {
    return m_bytes.subspan(std::size_t(tensor.file_offset), std::size_t(tensor.byte_size));
}

void GgufFile::dequantizeInto(const GgufTensorInfo& tensor, std::span<float> out) const {
    if (!canDequantize(tensor.type)) {
        GgufCursor c(m_bytes, m_path, m_version);
        c.setContext("tensor '" + tensor.name + "'");
        c.fail(tensor.file_offset, "cannot dequantize tensor type " + ggmlTypeName(tensor.type) +
                                       " (supported: " + dequantizableTypeNames() + ")");
    }
    if (std::int64_t(out.size()) != tensor.n_elements) {
        throw std::invalid_argument("GgufFile::dequantizeInto: output size does not match '" +
                                    tensor.name + "'");
    }
    dequantize(tensor.type, tensorBytes(tensor), out);
}

std::vector<float> GgufFile::dequantizeTensor(std::string_view name) const {
    const GgufTensorInfo& tensor = requireTensor(name);
    if (!canDequantize(tensor.type)) dequantizeInto(tensor, {});  // throws the clear message
    std::vector<float> out(std::size_t(tensor.n_elements));       // [n_elements], ne[0] fastest
    dequantizeInto(tensor, out);
    return out;
}

Matrix GgufFile::dequantizeMatrix(std::string_view name) const {
    const GgufTensorInfo& tensor = requireTensor(name);
    if (tensor.dims.size() > 2) {
        throw InputError("GGUF " + m_path + ": tensor '" + tensor.name + "' has " +
                         std::to_string(tensor.dims.size()) + " dims, expected 1 or 2");
    }
    const std::int64_t rows = tensor.dims.size() == 2 ? tensor.dims[1] : 1;
    Matrix m(rows, tensor.dims[0]);  // [ne[1]][ne[0]] row-major: ne[0] is the row length
    if (!canDequantize(tensor.type)) dequantizeInto(tensor, {});
    dequantizeInto(tensor, std::span<float>(m.data(), std::size_t(m.size())));
    return m;
}

}  // namespace kvscope
