// Reading ONNX model files from C++, without the protobuf library: a reader of the protobuf wire format
// for the part of onnx.proto that the neutral graph (cvcore/model.hpp) holds. The graph it returns is
// the one the Python package's loader (cvcore.onnx.load, which reads the file with the `onnx` package)
// builds from the same file, and cvcore::Model runs it:
//
//   cvcore::Model model(cvcore::read_onnx("resnet18.onnx"), {{"input", {1, 3, 224, 224}}});
//   std::vector<cvcore::Tensor> outputs = model.run({input_view});
#pragma once

#include <cstddef>
#include <string>

#include "cvcore/model.hpp"

namespace cvcore {

// Reads an ONNX model file (a ModelProto) into the neutral graph: the default domain's opset (the
// highest version that opset_import gives domain "" or "ai.onnx"), the graph inputs that are not
// initializers, the outputs, the initializers and the tensors of node attributes (Constant's value),
// the nodes with their attributes.
//
// - Tensors: raw_data, or the typed repeated fields (float_data, int32_data, int64_data, double_data;
//   packed or not), or external data (data_location EXTERNAL): the bytes at `offset` (default 0), of
//   `length` (default: to the end) in the file named by `location`, relative to the model's directory
//   (a relative path that stays inside it, a regular file and not a symbolic link, as the onnx package
//   requires). Data types cvcore holds: FLOAT, UINT8, INT32, INT64, DOUBLE; any other is a ValueError
//   naming the tensor and the type.
// - Attributes: INT, FLOAT (the float32 value, widened), STRING (its bytes), INTS, FLOATS, STRINGS,
//   TENSOR. The others (GRAPH, SPARSE_TENSOR, TYPE_PROTO, the lists of them) are a ValueError naming
//   the node and the attribute.
// - Input and output shapes: dim_value, or -1 for a dimension given by name (dim_param) or not at all.
//
// Fields that the graph does not hold are skipped by wire type, as protobuf does; a field that
// occurs more than once follows protobuf too (the last scalar wins, messages merge). Malformed input
// (truncated, a wire type that is not the field's, a length past the end of its message, groups
// nested deeper than 100, a varint over 10 bytes, sizes that overflow) is a ValueError saying what and
// at which byte offset: never a crash or a read out of bounds, and the work is bounded by the size of
// the input.
Graph read_onnx(const std::string& path);
// The same from the bytes of a model file. A tensor whose data is in an external file is a
// ValueError: there is no model directory to find it in (read the file with read_onnx).
Graph read_onnx_bytes(const void* data, size_t size);

}  // namespace cvcore
