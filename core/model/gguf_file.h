#pragma once
// A GGUF file (versions 1, 2, 3), memory-mapped. Opening reads and checks only the header (the
// metadata and the tensor table); tensor data is read when a tensor is dequantized. Every bad
// byte is reported as InputError "GGUF <path>: at offset N: <what> (key 'K' / tensor 'T')".
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model/ggml_type.h"
#include "core/model/gguf_value.h"
#include "core/model/model_weights.h"

namespace kvscope {

class GgufCursor;

/// One metadata key/value pair as it lies in the file; the value is decoded on request.
struct GgufMetadataEntry {
    std::string key;
    GgufType type = GgufType::Uint8;
    GgufType element_type = GgufType::Uint8;  // arrays only
    std::int64_t count = 1;                   // array elements; 1 for a scalar
    std::int64_t offset = 0;                  // file offset of the value (after its type id)
};

/// One entry of the tensor table. Checked at open: a known ggml type, 1..4 dims, no element
/// count overflow, a whole number of blocks, an aligned offset, bytes inside the file.
struct GgufTensorInfo {
    std::string name;
    GgmlType type = GgmlType::F32;
    std::vector<std::int64_t> dims;  // [n_dims] ne[0] first: the row length, fastest-varying
    std::int64_t offset = 0;         // relative to the data section; a multiple of the alignment
    std::int64_t file_offset = 0;    // absolute: data section start + offset
    std::int64_t n_elements = 0;
    std::int64_t byte_size = 0;
};

class GgufFile {
public:
    /// Maps `path` and reads its header. Throws InputError for a file that cannot be opened or
    /// is not a well-formed GGUF v1-v3 file.
    static GgufFile open(const std::string& path);
    /// Reads a GGUF image held in memory; `name` stands for the path in messages.
    static GgufFile fromBytes(std::vector<std::byte> bytes, std::string name);

    const std::string& path() const { return m_path; }
    std::uint32_t version() const { return m_version; }
    std::int64_t alignment() const { return m_alignment; }
    /// File offset of the data section (the header's end rounded up to the alignment).
    std::int64_t dataOffset() const { return m_data_offset; }
    std::int64_t fileSize() const { return std::int64_t(m_bytes.size()); }

    // --- metadata -------------------------------------------------------------------------
    /// Every key/value pair, in file order.
    const std::vector<GgufMetadataEntry>& metadata() const { return m_metadata; }
    const GgufMetadataEntry* findEntry(std::string_view key) const;
    /// The whole value of `entry`, arrays included. Precondition: `entry` is from metadata().
    GgufValue value(const GgufMetadataEntry& entry) const;
    /// A short printable value for listings; arrays as "[N x type]" without decoding them.
    std::string summary(const GgufMetadataEntry& entry) const;

    // Typed lookups: nullopt when the key is absent; InputError naming the key, the expected
    // and the actual type when it holds something else.
    std::optional<GgufValue> findValue(std::string_view key) const;
    std::optional<std::string> findString(std::string_view key) const;
    /// Any integer type; fails for a negative value.
    std::optional<std::uint64_t> findUint(std::string_view key) const;
    /// Any integer type; fails for a uint64 above INT64_MAX.
    std::optional<std::int64_t> findInt(std::string_view key) const;
    /// float32 or float64.
    std::optional<double> findFloat(std::string_view key) const;
    std::optional<bool> findBool(std::string_view key) const;
    std::optional<std::vector<std::string>> findStringArray(std::string_view key) const;
    /// An array of float32 or float64.
    std::optional<std::vector<float>> findFloatArray(std::string_view key) const;
    /// An array of any integer type; fails for a uint64 element above INT64_MAX.
    std::optional<std::vector<std::int64_t>> findIntArray(std::string_view key) const;
    /// Throws InputError "GGUF <path>: at offset N: <what> (key 'K')" with N the offset of the
    /// key's value, for callers that find a well-formed value unusable. Precondition: `key` is
    /// present.
    [[noreturn]] void failAtKey(std::string_view key, const std::string& what) const;

    // --- tensors --------------------------------------------------------------------------
    /// The tensor table, in file order.
    const std::vector<GgufTensorInfo>& tensors() const { return m_tensors; }
    const GgufTensorInfo* findTensor(std::string_view name) const;
    /// What keeps the mapping (or the in-memory image) alive: views of tensorBytes() hold it.
    std::shared_ptr<const void> owner() const { return m_owner; }
    /// The raw bytes of `tensor` ([byte_size]). Precondition: `tensor` is from tensors().
    std::span<const std::byte> tensorBytes(const GgufTensorInfo& tensor) const;
    /// Decodes `tensor` as a flat array of n_elements floats into `out`.
    /// Preconditions: `tensor` is from tensors(); out.size() == tensor.n_elements.
    /// Throws InputError naming the tensor when its type cannot be dequantized.
    void dequantizeInto(const GgufTensorInfo& tensor, std::span<float> out) const;
    /// The tensor named `name` as n_elements floats ([n_elements], ne[0] fastest). Throws
    /// InputError when there is no such tensor or its type cannot be dequantized.
    std::vector<float> dequantizeTensor(std::string_view name) const;
    /// A tensor of 1 or 2 dims as a row-major Matrix [ne[1]][ne[0]] (a 1-D tensor is one row).
    /// Throws InputError when absent, of 3-4 dims, or not dequantizable.
    Matrix dequantizeMatrix(std::string_view name) const;

private:
    GgufFile() = default;
    void parse();
    void parseMetadata(GgufCursor& cursor, std::int64_t n_kv);
    /// Reads the tensor table; returns where each tensor's offset field lies (for messages).
    std::vector<std::int64_t> parseTensorInfos(GgufCursor& cursor, std::int64_t n_tensors);
    /// Places the data section after `header_end` and checks every tensor's byte range.
    void placeTensors(std::int64_t header_end, const std::vector<std::int64_t>& offset_fields);
    [[noreturn]] void failTyped(const GgufMetadataEntry& entry, std::string_view expected) const;
    const GgufTensorInfo& requireTensor(std::string_view name) const;

    std::string m_path;
    std::shared_ptr<const void> m_owner;  // keeps the mapping or the buffer alive
    std::span<const std::byte> m_bytes;   // [file size]
    std::uint32_t m_version = 0;
    std::int64_t m_alignment = 32;
    std::int64_t m_data_offset = 0;
    std::vector<GgufMetadataEntry> m_metadata;                      // [n_kv]
    std::unordered_map<std::string, std::size_t> m_metadata_index;  // key -> index
    std::vector<GgufTensorInfo> m_tensors;                          // [n_tensors]
    std::unordered_map<std::string, std::size_t> m_tensor_index;    // name -> index
};

}  // namespace kvscope
