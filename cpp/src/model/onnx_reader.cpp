// cvcore::read_onnx (cvcore/onnx.hpp): the protobuf wire format read by hand for the messages of
// onnx.proto that the neutral graph holds. The bytes are first parsed into light copies of those
// messages (tensor bytes left in place), which then become the Graph in the order the Python loader
// (python/cvcore/onnx.py) converts them, so that both report the same first problem of a file.
#include "cvcore/onnx.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "cvcore/error.hpp"
#include "utf8.hpp"

// Tensor bytes (raw_data, fixed-width values, external data) are little-endian in ONNX and are copied
// as they are.
#if defined(__BYTE_ORDER__)
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "cvcore's ONNX reader needs a little-endian target");
#endif

namespace cvcore {
namespace {

// --- The wire format.

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kStartGroup = 3, kEndGroup = 4, kFixed32 = 5 };

const char* wire_type_name(uint32_t wire) {
  static const char* const names[] = {"varint", "fixed64", "length-delimited", "start-group", "end-group", "fixed32"};
  return wire < 6 ? names[wire] : "invalid";
}

constexpr uint64_t kMaxFieldNumber = (uint64_t(1) << 29) - 1;
// Groups (a wire type of proto2 that onnx.proto does not use) are skipped with an explicit stack:
// protobuf's own limit on nesting.
constexpr size_t kMaxGroupDepth = 100;

// What is read: the bytes, the start of messages ("read_onnx: 'model.onnx'"), and the directory that
// external data files are relative to (none for bytes).
struct Source {
  const unsigned char* begin;
  const unsigned char* end;
  std::string prefix;
  std::optional<std::string> directory;

  template <typename... Args>
  [[noreturn]] void fail(const Args&... args) const {
    throw ValueError(detail::concat(prefix, ": ", args...));
  }
  template <typename... Args>
  [[noreturn]] void fail_at(const unsigned char* at, const Args&... args) const {
    fail("invalid ONNX file at byte ", at - begin, ": ", args...);
  }
};

struct Tag {
  uint32_t field;
  uint32_t wire;
  const unsigned char* at;  // where the tag starts
};

// The fields of one message, in the bytes [p, end) of the source. `type` names the message in errors
// ("TensorProto"), the field names come with each read ("TensorProto.raw_data").
class Cursor {
 public:
  Cursor(const Source& source, const unsigned char* begin, const unsigned char* end, const char* type)
      : source_(source), p_(begin), end_(end), type_(type) {}

  bool more() const { return p_ != end_; }

  Tag tag() {
    const unsigned char* at = p_;
    const uint64_t key = varint_at(nullptr, nullptr);
    const uint64_t field = key >> 3;
    const auto wire = uint32_t(key & 7);
    if (field == 0 || field > kMaxFieldNumber)
      source_.fail_at(at, type_, ": field number ", field, " is outside protobuf's range [1, ", kMaxFieldNumber, "]");
    if (wire > kFixed32) source_.fail_at(at, type_, " field ", field, ": wire type ", wire, " does not exist");
    return {uint32_t(field), wire, at};
  }

  // A field the graph does not hold, passed over by its wire type.
  void skip(const Tag& t) {
    switch (t.wire) {
      case kVarint: varint_at(&t, nullptr); break;
      case kFixed64: take(8, t, nullptr); break;
      case kFixed32: take(4, t, nullptr); break;
      case kLengthDelimited: length_delimited(t, nullptr); break;
      case kStartGroup: skip_group(t); break;
      default: source_.fail_at(t.at, type_, " field ", t.field, ": an end-group tag without its start-group tag");
    }
  }

  // The value of a field the graph holds; a wire type other than the field's is an error.
  uint64_t varint(const Tag& t, const char* field) {
    expect(t, kVarint, field);
    return varint_at(&t, field);
  }
  float float32(const Tag& t, const char* field) {
    expect(t, kFixed32, field);
    return scalar<float>(t, field);
  }
  std::string_view bytes(const Tag& t, const char* field) {
    expect(t, kLengthDelimited, field);
    return length_delimited(t, field);
  }
  std::string string(const Tag& t, const char* field) { return std::string(bytes(t, field)); }
  Cursor message(const Tag& t, const char* field, const char* type) {
    const std::string_view b = bytes(t, field);
    const auto* begin = reinterpret_cast<const unsigned char*>(b.data());
    return Cursor(source_, begin, begin + b.size(), type);
  }

  // One value of a repeated numeric field, or a packed run of them (protobuf accepts both forms).
  template <typename T>
  void repeated(const Tag& t, const char* field, std::vector<T>& out) {
    constexpr uint32_t wire = wire_of<T>();
    if (t.wire == wire) {
      out.push_back(scalar<T>(t, field));
      return;
    }
    if (t.wire != kLengthDelimited)
      source_.fail_at(t.at, type_, ".", field, " has wire type ", wire_type_name(t.wire), ", expected ",
                      wire_type_name(wire), " or length-delimited (packed)");
    const std::string_view run = length_delimited(t, field);
    if constexpr (wire != kVarint) {
      if (run.size() % sizeof(T) != 0)
        source_.fail_at(t.at, type_, ".", field, ": a packed run of ", run.size(), " bytes is not a whole number of ",
                        sizeof(T), "-byte values");
      out.reserve(out.size() + run.size() / sizeof(T));
    }
    const auto* begin = reinterpret_cast<const unsigned char*>(run.data());
    Cursor values(source_, begin, begin + run.size(), type_);
    while (values.more()) out.push_back(values.scalar<T>(t, field));
  }

 private:
  template <typename T>
  static constexpr uint32_t wire_of() {
    if constexpr (std::is_same_v<T, float>) return kFixed32;
    else if constexpr (std::is_same_v<T, double>) return kFixed64;
    else return kVarint;
  }

  // A value of T at the cursor: float and double as fixed32 / fixed64, integers as varints (an int32
  // field keeps the low 32 bits, as protobuf does).
  template <typename T>
  T scalar(const Tag& t, const char* field) {
    if constexpr (std::is_floating_point_v<T>) {
      T v;
      std::memcpy(&v, take(sizeof(T), t, field), sizeof(T));
      return v;
    } else {
      return T(varint_at(&t, field));
    }
  }

  void expect(const Tag& t, uint32_t wire, const char* field) const {
    if (t.wire != wire)
      source_.fail_at(t.at, type_, ".", field, " has wire type ", wire_type_name(t.wire), ", expected ",
                      wire_type_name(wire));
  }

  // For messages: "TensorProto.raw_data" for a field the graph holds, "TensorProto field 17" for another,
  // "TensorProto tag" for the tag (t null).
  std::string name(const Tag* t, const char* field) const {
    if (!t) return detail::concat(type_, " tag");
    return field ? detail::concat(type_, ".", field) : detail::concat(type_, " field ", t->field);
  }

  // The varint at the cursor: the tag t's value (or a tag, for t null).
  uint64_t varint_at(const Tag* t, const char* field) {
    const unsigned char* at = p_;
    uint64_t v = 0;
    for (int i = 0; i < 10; ++i) {
      if (p_ == end_) source_.fail_at(at, name(t, field), ": a varint cut off by the end of the ", type_);
      const unsigned byte = *p_++;
      v |= uint64_t(byte & 0x7F) << (7 * i);
      if (!(byte & 0x80)) return v;
    }
    source_.fail_at(at, name(t, field), ": a varint longer than 10 bytes");
  }

  const unsigned char* take(uint64_t n, const Tag& t, const char* field) {
    if (uint64_t(end_ - p_) < n)
      source_.fail_at(t.at, name(&t, field), ": ", n, " bytes of value, past the end of the ", type_, " (",
                      end_ - p_, " bytes left)");
    const unsigned char* at = p_;
    p_ += n;
    return at;
  }

  std::string_view length_delimited(const Tag& t, const char* field) {
    const uint64_t n = varint_at(&t, field);
    const unsigned char* at = take(n, t, field);
    return {reinterpret_cast<const char*>(at), size_t(n)};
  }

  void skip_group(const Tag& start) {
    std::vector<uint32_t> open{start.field};
    while (!open.empty()) {
      if (!more())
        source_.fail_at(start.at, type_, " field ", start.field, ": a group not closed before the end of the ", type_);
      const Tag t = tag();
      if (t.wire == kStartGroup) {
        if (open.size() == kMaxGroupDepth)
          source_.fail_at(t.at, type_, ": groups nested deeper than ", kMaxGroupDepth);
        open.push_back(t.field);
      } else if (t.wire == kEndGroup) {
        if (t.field != open.back())
          source_.fail_at(t.at, type_, ": group ", open.back(), " closed by the end-group tag of field ", t.field);
        open.pop_back();
      } else {
        skip(t);
      }
    }
  }

  const Source& source_;
  const unsigned char* p_;
  const unsigned char* end_;
  const char* type_;
};

// --- The messages of onnx.proto the graph holds, with the fields it uses. A singular message field
// that occurs again is parsed into the same object (protobuf merges them).

struct StringStringEntryProto {
  std::string key, value;
};

struct TensorProto {
  std::vector<int64_t> dims;
  int32_t data_type = 0;
  bool segment = false;
  std::vector<float> float_data;
  std::vector<int32_t> int32_data;
  std::vector<int64_t> int64_data;
  std::vector<double> double_data;
  std::string name;
  std::optional<std::string_view> raw_data;  // in the source's bytes
  std::vector<StringStringEntryProto> external_data;
  int32_t data_location = 0;
};

struct AttributeProto {
  std::string name;
  int32_t type = 0;
  float f = 0;
  int64_t i = 0;
  std::string s;
  TensorProto t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
};

struct NodeProto {
  std::vector<std::string> input, output;
  std::string name, op_type, domain;
  std::vector<AttributeProto> attribute;
};

struct Dimension {
  std::optional<int64_t> dim_value;  // unset when the dimension is dim_param, or neither
};

// A ValueInfoProto with its TypeProto: `value` is the TypeProto oneof's field number (0: none, 1:
// tensor_type), elem_type and dims those of the tensor_type.
struct ValueInfoProto {
  std::string name;
  uint32_t value = 0;
  int32_t elem_type = 0;
  std::vector<Dimension> dims;
};

struct GraphProto {
  std::vector<NodeProto> node;
  std::vector<TensorProto> initializer;
  std::vector<ValueInfoProto> input, output;
};

struct ModelProto {
  std::vector<std::pair<std::string, int64_t>> opset_import;  // (domain, version)
  GraphProto graph;
};

// Closed enums (proto2): a value the enum does not define is kept as an unknown field, as protobuf
// does, and the field keeps its value.
constexpr int32_t kAttributeTypeCount = 15;  // AttributeProto.AttributeType: UNDEFINED (0) to TYPE_PROTOS (14)
constexpr int32_t kDataLocationExternal = 1;

void parse(Cursor c, StringStringEntryProto& m) {
  while (c.more()) {
    const Tag t = c.tag();
    switch (t.field) {
      case 1: m.key = c.string(t, "key"); break;
      case 2: m.value = c.string(t, "value"); break;
      default: c.skip(t);
    }
  }
}

void parse(Cursor c, TensorProto& m) {
  while (c.more()) {
    const Tag t = c.tag();
    switch (t.field) {
      case 1: c.repeated(t, "dims", m.dims); break;
      case 2: m.data_type = int32_t(c.varint(t, "data_type")); break;
      case 3:
        c.bytes(t, "segment");
        m.segment = true;
        break;
      case 4: c.repeated(t, "float_data", m.float_data); break;
      case 5: c.repeated(t, "int32_data", m.int32_data); break;
      case 7: c.repeated(t, "int64_data", m.int64_data); break;
      case 8: m.name = c.string(t, "name"); break;
      case 9: m.raw_data = c.bytes(t, "raw_data"); break;
      case 10: c.repeated(t, "double_data", m.double_data); break;
      case 13: parse(c.message(t, "external_data", "StringStringEntryProto"), m.external_data.emplace_back()); break;
      case 14: {
        const uint64_t v = c.varint(t, "data_location");
        if (v <= uint64_t(kDataLocationExternal)) m.data_location = int32_t(v);
        break;
      }
      default: c.skip(t);
    }
  }
}

void parse(Cursor c, AttributeProto& m) {
  while (c.more()) {
    const Tag t = c.tag();
    switch (t.field) {
      case 1: m.name = c.string(t, "name"); break;
      case 20: {
        const uint64_t v = c.varint(t, "type");
        if (v < uint64_t(kAttributeTypeCount)) m.type = int32_t(v);
        break;
      }
      case 2: m.f = c.float32(t, "f"); break;
      case 3: m.i = int64_t(c.varint(t, "i")); break;
      case 4: m.s = c.string(t, "s"); break;
      case 5: parse(c.message(t, "t", "TensorProto"), m.t); break;
      case 7: c.repeated(t, "floats", m.floats); break;
      case 8: c.repeated(t, "ints", m.ints); break;
      case 9: m.strings.push_back(c.string(t, "strings")); break;
      default: c.skip(t);
    }
  }
}

void parse(Cursor c, NodeProto& m) {
  while (c.more()) {
    const Tag t = c.tag();
    switch (t.field) {
      case 1: m.input.push_back(c.string(t, "input")); break;
      case 2: m.output.push_back(c.string(t, "output")); break;
      case 3: m.name = c.string(t, "name"); break;
      case 4: m.op_type = c.string(t, "op_type"); break;
      case 7: m.domain = c.string(t, "domain"); break;
      case 5: parse(c.message(t, "attribute", "AttributeProto"), m.attribute.emplace_back()); break;
      default: c.skip(t);
    }
  }
}

void parse(Cursor c, Dimension& m) {
  while (c.more()) {
    const Tag t = c.tag();
    switch (t.field) {
      case 1: m.dim_value = int64_t(c.varint(t, "dim_value")); break;
      case 2:  // the other member of the oneof
        c.bytes(t, "dim_param");
        m.dim_value.reset();
        break;
      default: c.skip(t);
    }
  }
}

// TypeProto.Tensor and its TensorShapeProto, into the ValueInfoProto.
void parse_tensor_type(Cursor c, ValueInfoProto& m) {
  while (c.more()) {
    const Tag t = c.tag();
    switch (t.field) {
      case 1: m.elem_type = int32_t(c.varint(t, "elem_type")); break;
      case 2: {
        Cursor shape = c.message(t, "shape", "TensorShapeProto");
        while (shape.more()) {
          const Tag d = shape.tag();
          if (d.field == 1)
            parse(shape.message(d, "dim", "TensorShapeProto.Dimension"), m.dims.emplace_back());
          else
            shape.skip(d);
        }
        break;
      }
      default: c.skip(t);
    }
  }
}

void parse_type(Cursor c, ValueInfoProto& m) {
  while (c.more()) {
    const Tag t = c.tag();
    switch (t.field) {
      case 1:
        if (m.value != 1) {  // a new tensor_type: the oneof's other member is dropped
          m.value = 1;
          m.elem_type = 0;
          m.dims.clear();
        }
        parse_tensor_type(c.message(t, "tensor_type", "TypeProto.Tensor"), m);
        break;
      case 4: case 5: case 7: case 8: case 9:  // sequence, map, opaque, sparse tensor, optional
        c.bytes(t, "value");
        m.value = t.field;
        break;
      default: c.skip(t);
    }
  }
}

void parse(Cursor c, ValueInfoProto& m) {
  while (c.more()) {
    const Tag t = c.tag();
    switch (t.field) {
      case 1: m.name = c.string(t, "name"); break;
      case 2: parse_type(c.message(t, "type", "TypeProto"), m); break;
      default: c.skip(t);
    }
  }
}

void parse(Cursor c, GraphProto& m) {
  while (c.more()) {
    const Tag t = c.tag();
    switch (t.field) {
      case 1: parse(c.message(t, "node", "NodeProto"), m.node.emplace_back()); break;
      case 5: parse(c.message(t, "initializer", "TensorProto"), m.initializer.emplace_back()); break;
      case 11: parse(c.message(t, "input", "ValueInfoProto"), m.input.emplace_back()); break;
      case 12: parse(c.message(t, "output", "ValueInfoProto"), m.output.emplace_back()); break;
      default: c.skip(t);
    }
  }
}

void parse(Cursor c, ModelProto& m) {
  while (c.more()) {
    const Tag t = c.tag();
    switch (t.field) {
      case 8: {
        Cursor opset = c.message(t, "opset_import", "OperatorSetIdProto");
        auto& [domain, version] = m.opset_import.emplace_back();
        while (opset.more()) {
          const Tag o = opset.tag();
          if (o.field == 1) domain = opset.string(o, "domain");
          else if (o.field == 2) version = int64_t(opset.varint(o, "version"));
          else opset.skip(o);
        }
        break;
      }
      case 7: parse(c.message(t, "graph", "GraphProto"), m.graph); break;
      default: c.skip(t);
    }
  }
}

// --- From the messages to the neutral graph.

// TensorProto.DataType's names, by value.
const char* const kDataTypeNames[] = {
    "UNDEFINED", "FLOAT",      "UINT8",          "INT8",       "UINT16",         "INT16",          "INT32",
    "INT64",     "STRING",     "BOOL",           "FLOAT16",    "DOUBLE",         "UINT32",         "UINT64",
    "COMPLEX64", "COMPLEX128", "BFLOAT16",       "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ",
    "UINT4",     "INT4",       "FLOAT4E2M1",     "FLOAT8E8M0", "UINT2",          "INT2",           "FLOAT6E2M3",
    "FLOAT6E3M2"};

std::string data_type_name(int32_t type) {
  const size_t count = sizeof kDataTypeNames / sizeof kDataTypeNames[0];
  return type >= 0 && size_t(type) < count ? kDataTypeNames[type] : std::to_string(type);
}

std::optional<DType> held_dtype(int32_t type) {
  switch (type) {
    case 1: return DType::float32;
    case 2: return DType::uint8;
    case 6: return DType::int32;
    case 7: return DType::int64;
    case 11: return DType::float64;
    default: return std::nullopt;
  }
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t d = 0; d < shape.size(); ++d) s += (d ? ", " : "") + std::to_string(shape[d]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// A decimal offset or length of external data.
std::optional<uint64_t> parse_size(const std::string& text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + uint64_t(c - '0');
  }
  return v;
}

// The file of a tensor's external data: `location` must be a relative path that stays inside the
// model's directory, naming a regular file (not a symbolic link), as the onnx package requires.
std::filesystem::path external_file(const Source& source, const std::string& location, const std::string& what) {
  if (!source.directory)
    source.fail(what, " has its data in the external file ", detail::quoted(location),
                ", which read_onnx_bytes cannot find: read the model from its file with read_onnx");
  if (location.empty()) source.fail(what, " has external data with no location");
  if (location.find('\0') != std::string::npos || location[0] == '/')
    source.fail(what, ": the location of its external data ", detail::quoted(location), " is not a relative path");
  int depth = 0;
  for (size_t start = 0; start <= location.size();) {
    const size_t stop = std::min(location.find('/', start), location.size());
    const std::string_view part(location.data() + start, stop - start);
    depth += part == ".." ? -1 : (part.empty() || part == ".") ? 0 : 1;
    if (depth < 0)
      source.fail(what, ": the location of its external data ", detail::quoted(location),
                  " points outside the model's directory");
    start = stop + 1;
  }
  const std::filesystem::path path = source.directory->empty() ? std::filesystem::path(location)
                                                               : std::filesystem::path(*source.directory) / location;
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::symlink_status(path, error);
  if (std::filesystem::is_symlink(status))
    source.fail(what, ": its external data file ", detail::quoted(path.string()), " is a symbolic link");
  if (error || !std::filesystem::is_regular_file(status))
    source.fail(what, ": its external data file ", detail::quoted(path.string()), " is not a regular file");
  return path;
}

// Where a tensor's external data is: checked against the file, and against the `nbytes` the tensor's
// shape needs, before anything is allocated.
struct ExternalData {
  std::filesystem::path path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

ExternalData locate_external(const Source& source, const TensorProto& t, const std::string& what, int64_t nbytes) {
  std::string location;
  std::optional<std::string> offset_text, length_text;
  for (const StringStringEntryProto& e : t.external_data) {  // the last entry of a key wins
    if (e.key == "location") location = e.value;
    else if (e.key == "offset") offset_text = e.value;
    else if (e.key == "length") length_text = e.value;
  }
  ExternalData data;
  data.path = external_file(source, location, what);
  std::error_code error;
  const uint64_t file_size = std::filesystem::file_size(data.path, error);
  const std::string file = detail::quoted(data.path.string());
  if (error) source.fail(what, ": cannot read the size of its external data file ", file);
  if (offset_text) {
    const std::optional<uint64_t> v = parse_size(*offset_text);
    if (!v)
      source.fail(what, ": the offset of its external data ", detail::quoted(*offset_text),
                  " is not a non-negative integer");
    if (*v > file_size)
      source.fail(what, ": the offset of its external data (", *v, ") is past the end of ", file, " (", file_size,
                  " bytes)");
    data.offset = *v;
  }
  data.length = file_size - data.offset;
  if (length_text) {
    const std::optional<uint64_t> v = parse_size(*length_text);
    if (!v)
      source.fail(what, ": the length of its external data ", detail::quoted(*length_text),
                  " is not a non-negative integer");
    if (*v > data.length)
      source.fail(what, ": its external data (", *v, " bytes from offset ", data.offset, ") runs past the end of ",
                  file, " (", file_size, " bytes)");
    data.length = *v;
  }
  if (data.length != uint64_t(nbytes))
    source.fail(what, " has ", data.length, " bytes of external data for shape ", shape_text(t.dims), " of ",
                data_type_name(t.data_type), " (", nbytes, " bytes)");
  return data;
}

void read_external(const Source& source, const ExternalData& data, const std::string& what, void* out) {
  std::ifstream in(data.path, std::ios::binary);
  in.seekg(std::streamoff(data.offset));
  in.read(static_cast<char*>(out), std::streamsize(data.length));
  if (!in || uint64_t(in.gcount()) != data.length)
    source.fail(what, ": cannot read its external data from ", detail::quoted(data.path.string()));
}

// The values of a typed repeated field as a tensor's elements (uint8 from int32_data keeps the low 8
// bits, as NumPy's astype in the onnx package does).
template <typename To, typename From>
void copy_values(const std::vector<From>& values, Tensor& out) {
  To* dst = static_cast<To*>(out.data());
  for (size_t k = 0; k < values.size(); ++k) dst[k] = To(values[k]);
}

// A tensor as onnx.numpy_helper.to_array reads it: external data, else raw_data when the field is
// present (even empty), else the typed field of its data type.
Tensor to_tensor(const Source& source, const TensorProto& t, const std::string& what) {
  const std::optional<DType> dtype = held_dtype(t.data_type);
  if (!dtype)
    source.fail(what, " has data type ", data_type_name(t.data_type),
                ", which cvcore does not hold (float, double, int32, int64, uint8)");
  if (t.segment) source.fail(what, " is stored in segments, which cvcore does not read");
  int64_t numel = 1;
  for (int64_t d : t.dims) {
    if (d < 0) source.fail(what, " has a negative dimension in its shape ", shape_text(t.dims));
    if (d != 0 && numel > std::numeric_limits<int64_t>::max() / d)
      source.fail(what, " has shape ", shape_text(t.dims), ", whose size overflows 64 bits");
    numel *= d;
  }
  if (numel > std::numeric_limits<int64_t>::max() / dtype_size(*dtype))
    source.fail(what, " has shape ", shape_text(t.dims), ", whose size in bytes overflows 64 bits");
  const int64_t nbytes = numel * dtype_size(*dtype);
  const char* const memory = "a tensor of the onnx model";
  if (t.data_location == kDataLocationExternal) {
    const ExternalData data = locate_external(source, t, what, nbytes);
    Tensor out(*dtype, t.dims, memory);
    read_external(source, data, what, out.data());
    return out;
  }
  if (t.raw_data) {
    if (t.raw_data->size() != uint64_t(nbytes))
      source.fail(what, " has ", t.raw_data->size(), " bytes of raw_data for shape ", shape_text(t.dims), " of ",
                  data_type_name(t.data_type), " (", nbytes, " bytes)");
    Tensor out(*dtype, t.dims, memory);
    std::memcpy(out.data(), t.raw_data->data(), t.raw_data->size());
    return out;
  }
  size_t count = 0;
  const char* field = "";
  switch (*dtype) {
    case DType::float32: count = t.float_data.size(), field = "float_data"; break;
    case DType::uint8:
    case DType::int32: count = t.int32_data.size(), field = "int32_data"; break;
    case DType::int64: count = t.int64_data.size(), field = "int64_data"; break;
    case DType::float64: count = t.double_data.size(), field = "double_data"; break;
  }
  if (count != uint64_t(numel))
    source.fail(what, " has ", count, " values in ", field, " for shape ", shape_text(t.dims), " (", numel, " values)");
  Tensor out(*dtype, t.dims, memory);
  switch (*dtype) {
    case DType::float32: copy_values<float>(t.float_data, out); break;
    case DType::uint8: copy_values<uint8_t>(t.int32_data, out); break;
    case DType::int32: copy_values<int32_t>(t.int32_data, out); break;
    case DType::int64: copy_values<int64_t>(t.int64_data, out); break;
    case DType::float64: copy_values<double>(t.double_data, out); break;
  }
  return out;
}

ValueInfo to_value_info(const Source& source, const ValueInfoProto& v, const char* what) {
  if (v.value != 1) source.fail(what, " ", detail::quoted(v.name), " is not a tensor");
  const std::optional<DType> dtype = held_dtype(v.elem_type);
  if (!dtype)
    source.fail(what, " ", detail::quoted(v.name), " has data type ", data_type_name(v.elem_type),
                ", which cvcore does not hold");
  ValueInfo out;
  out.name = v.name;
  out.dtype = *dtype;
  for (const Dimension& d : v.dims) out.shape.push_back(d.dim_value ? *d.dim_value : -1);
  return out;
}

// AttributeProto.AttributeType's names, by value.
const char* const kAttributeTypeNames[kAttributeTypeCount] = {
    "UNDEFINED", "FLOAT",  "INT",   "STRING",        "TENSOR",         "GRAPH",      "FLOATS",     "INTS",
    "STRINGS",   "TENSORS", "GRAPHS", "SPARSE_TENSOR", "SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS"};

Attribute to_attribute(const Source& source, const AttributeProto& a, const std::string& where) {
  Attribute out;
  switch (a.type) {
    case 1: out.kind = Attribute::Kind::float64, out.f = double(a.f); break;
    case 2: out.kind = Attribute::Kind::int64, out.i = a.i; break;
    case 3: out.kind = Attribute::Kind::string, out.s = a.s; break;
    case 4:
      out.kind = Attribute::Kind::tensor;
      out.t = to_tensor(source, a.t, where + " attribute " + detail::quoted(a.name));
      break;
    case 6: out.kind = Attribute::Kind::floats, out.floats.assign(a.floats.begin(), a.floats.end()); break;
    case 7: out.kind = Attribute::Kind::ints, out.ints = a.ints; break;
    case 8: out.kind = Attribute::Kind::strings, out.strings = a.strings; break;
    default:
      source.fail(where, ": attribute ", detail::quoted(a.name), " of type ", kAttributeTypeNames[a.type],
                  " is not supported");
  }
  return out;
}

Graph to_graph(const Source& source, const ModelProto& model) {
  Graph g;
  bool imported = false;
  for (const auto& [domain, version] : model.opset_import)
    if (domain.empty() || domain == "ai.onnx") {
      g.opset = imported ? std::max(g.opset, version) : version;
      imported = true;
    }
  if (!imported) source.fail("the model imports no version of the default operator set");
  const GraphProto& graph = model.graph;
  for (const TensorProto& t : graph.initializer)
    g.initializers[t.name] = to_tensor(source, t, "initializer " + detail::quoted(t.name));
  for (const ValueInfoProto& v : graph.input)
    if (!g.initializers.count(v.name)) g.inputs.push_back(to_value_info(source, v, "input"));
  for (const ValueInfoProto& v : graph.output) g.outputs.push_back(to_value_info(source, v, "output"));
  for (size_t position = 0; position < graph.node.size(); ++position) {
    const NodeProto& n = graph.node[position];
    const std::string where =
        (n.name.empty() ? "onnx node #" + std::to_string(position) : "onnx node " + detail::quoted(n.name)) + " (" +
        detail::escaped(n.op_type) + ")";
    Node node;
    node.name = n.name;
    node.op_type = n.op_type;
    node.domain = n.domain;
    node.inputs = n.input;
    node.outputs = n.output;
    for (const AttributeProto& a : n.attribute) node.attributes[a.name] = to_attribute(source, a, where);
    g.nodes.push_back(std::move(node));
  }
  return g;
}

Graph read_model(const Source& source) {
  ModelProto model;
  parse(Cursor(source, source.begin, source.end, "ModelProto"), model);
  return to_graph(source, model);
}

}  // namespace

Graph read_onnx(const std::string& path) {
  Source source{nullptr, nullptr, "read_onnx: " + detail::quoted(path), std::filesystem::path(path).parent_path().string()};
  if (path.find('\0') != std::string::npos) source.fail("a path with a NUL byte names no file");
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) source.fail("no such file");
  if (!std::filesystem::is_regular_file(status)) source.fail("not a regular file");
  const uint64_t size = std::filesystem::file_size(path, error);
  if (error) source.fail("cannot read its size: ", error.message());
  std::string bytes;
  try {
    bytes.resize(size_t(size));
  } catch (const std::exception&) {
    throw MemoryError(detail::concat(source.prefix, ": cannot allocate ", size, " bytes to read the file"));
  }
  std::ifstream in(path, std::ios::binary);
  in.read(bytes.data(), std::streamsize(size));
  if (!in || uint64_t(in.gcount()) != size) source.fail("cannot read the file");
  source.begin = reinterpret_cast<const unsigned char*>(bytes.data());
  source.end = source.begin + bytes.size();
  return read_model(source);
}

Graph read_onnx_bytes(const void* data, size_t size) {
  const auto* begin = static_cast<const unsigned char*>(data);
  return read_model(Source{begin, begin + size, "read_onnx_bytes", std::nullopt});
}

}  // namespace cvcore
