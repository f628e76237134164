//===- SafetensorsBuilder.h - Write safetensors images for tests ----------===//
//
// Builds valid safetensors images from tensors, and raw images from any
// header text, so tests can produce both good files and deliberately broken
// ones.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRT_UNITTESTS_SAFETENSORSBUILDER_H
#define ATTNRT_UNITTESTS_SAFETENSORSBUILDER_H

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace attnrt_test {

using Bytes = std::vector<uint8_t>;

/// Returns `text` as a JSON string literal.
inline std::string jsonQuote(const std::string &text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      static const char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

/// Returns "[a, b, ...]".
inline std::string jsonArray(const std::vector<int64_t> &values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i)
    out += (i ? ", " : "") + std::to_string(values[i]);
  return out + "]";
}

/// Returns the 8-byte little-endian length, the header and the data.
inline Bytes rawImage(const std::string &header, const Bytes &data,
                      uint64_t headerLength) {
  Bytes out(8);
  for (int i = 0; i < 8; ++i)
    out[i] = static_cast<uint8_t>(headerLength >> (8 * i));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

/// Like rawImage with the header's true length.
inline Bytes rawImage(const std::string &header, const Bytes &data = {}) {
  return rawImage(header, data, header.size());
}

template <typename T> Bytes toBytes(const std::vector<T> &values) {
  Bytes out(values.size() * sizeof(T));
  if (!out.empty())
    std::memcpy(out.data(), values.data(), out.size());
  return out;
}

/// Collects tensors and metadata and lays them out as a valid image.
class SafetensorsBuilder {
public:
  struct Tensor {
    std::string name;
    std::string dtype;
    std::vector<int64_t> shape;
    Bytes bytes;
    uint64_t begin = 0;
    uint64_t end = 0;
  };

  SafetensorsBuilder &add(const std::string &name, const std::string &dtype,
                          std::vector<int64_t> shape, Bytes bytes) {
    tensors.push_back({name, dtype, std::move(shape), std::move(bytes)});
    return *this;
  }
  SafetensorsBuilder &addF32(const std::string &name,
                             std::vector<int64_t> shape,
                             const std::vector<float> &values) {
    return add(name, "F32", std::move(shape), toBytes(values));
  }
  SafetensorsBuilder &addI32(const std::string &name,
                             std::vector<int64_t> shape,
                             const std::vector<int32_t> &values) {
    return add(name, "I32", std::move(shape), toBytes(values));
  }
  SafetensorsBuilder &metadata(const std::string &key,
                               const std::string &value) {
    meta[key] = value;
    return *this;
  }
  /// Pads the header with spaces so the data section starts at a multiple of
  /// `alignment` in the file, and starts each tensor at such a multiple.
  /// 1 packs everything, which leaves most tensors misaligned.
  SafetensorsBuilder &align(uint64_t alignment) {
    this->alignment = alignment;
    return *this;
  }

  /// The tensors with their offsets as laid out by build().
  std::vector<Tensor> layout() const {
    std::vector<Tensor> out = tensors;
    uint64_t offset = 0;
    for (Tensor &tensor : out) {
      offset = (offset + alignment - 1) / alignment * alignment;
      tensor.begin = offset;
      tensor.end = offset + tensor.bytes.size();
      offset = tensor.end;
    }
    return out;
  }

  std::string header() const {
    std::string out = "{";
    bool first = true;
    if (!meta.empty()) {
      out += "\"__metadata__\": {";
      bool firstMeta = true;
      for (const auto &[key, value] : meta) {
        out +=
            (firstMeta ? "" : ", ") + jsonQuote(key) + ": " + jsonQuote(value);
        firstMeta = false;
      }
      out += "}";
      first = false;
    }
    for (const Tensor &tensor : layout()) {
      out += (first ? "" : ", ") + jsonQuote(tensor.name) +
             ": {\"dtype\": " + jsonQuote(tensor.dtype) +
             ", \"shape\": " + jsonArray(tensor.shape) +
             ", \"data_offsets\": " +
             jsonArray({static_cast<int64_t>(tensor.begin),
                        static_cast<int64_t>(tensor.end)}) +
             "}";
      first = false;
    }
    out += "}";
    while ((8 + out.size()) % alignment != 0)
      out += ' ';
    return out;
  }

  Bytes data() const {
    Bytes out;
    for (const Tensor &tensor : layout()) {
      out.resize(tensor.begin, 0);
      out.insert(out.end(), tensor.bytes.begin(), tensor.bytes.end());
    }
    return out;
  }

  Bytes build() const { return rawImage(header(), data()); }

private:
  std::vector<Tensor> tensors;
  std::map<std::string, std::string> meta;
  uint64_t alignment = 64;
};

/// A heap copy of an image in an allocation of exactly its size, so that
/// AddressSanitizer reports any read past its end.
class ExactBuffer {
public:
  explicit ExactBuffer(const Bytes &image)
      : storage(
            static_cast<uint8_t *>(std::malloc(image.size() + !image.size()))),
        size(image.size()) {
    if (size)
      std::memcpy(storage, image.data(), size);
  }
  ExactBuffer(const ExactBuffer &) = delete;
  ExactBuffer &operator=(const ExactBuffer &) = delete;
  ~ExactBuffer() { std::free(storage); }
  const uint8_t *data() const { return storage; }
  size_t length() const { return size; }

private:
  uint8_t *storage;
  size_t size;
};

/// A heap copy of an image that starts `misalignment` bytes after a 64-byte
/// boundary.
class AlignedBuffer {
public:
  AlignedBuffer(const Bytes &image, size_t misalignment) : size(image.size()) {
    size_t capacity = (misalignment + size + 63) / 64 * 64;
    storage = static_cast<uint8_t *>(std::aligned_alloc(64, capacity + 64));
    base = storage + misalignment;
    if (size)
      std::memcpy(base, image.data(), size);
  }
  AlignedBuffer(const AlignedBuffer &) = delete;
  AlignedBuffer &operator=(const AlignedBuffer &) = delete;
  ~AlignedBuffer() { std::free(storage); }
  const uint8_t *data() const { return base; }
  size_t length() const { return size; }

private:
  uint8_t *storage = nullptr;
  uint8_t *base = nullptr;
  size_t size;
};

/// Writes `bytes` to `path`; returns false on failure.
inline bool writeFile(const std::string &path, const Bytes &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

} // namespace attnrt_test

#endif // ATTNRT_UNITTESTS_SAFETENSORSBUILDER_H
