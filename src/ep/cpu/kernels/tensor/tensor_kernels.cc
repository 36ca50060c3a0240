#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"

#include "src/ep/cpu/registry.h"

namespace onyx::cpu {

// Opset differences (attributes that became inputs, ...) are handled inside each kernel from info.opset.
std::vector<KernelDef> tensor_kernel_defs() {
  return {
      // op               domain  since  until      factory
      {"Compress", "", 9, kMaxOpset, create_compress},
      {"Concat", "", 1, kMaxOpset, create_concat},
      {"ConstantOfShape", "", 9, kMaxOpset, create_constant_of_shape},
      {"Dropout", "", 1, kMaxOpset, create_dropout},
      {"Expand", "", 8, kMaxOpset, create_expand},
      {"Flatten", "", 1, kMaxOpset, create_flatten},
      {"Gather", "", 1, kMaxOpset, create_gather},
      {"GatherElements", "", 11, kMaxOpset, create_gather_elements},
      {"GatherND", "", 11, kMaxOpset, create_gather_nd},
      {"NonZero", "", 9, kMaxOpset, create_non_zero},
      {"OneHot", "", 9, kMaxOpset, create_one_hot},
      {"Pad", "", 1, kMaxOpset, create_pad},
      {"Range", "", 11, kMaxOpset, create_range},
      {"Reshape", "", 1, kMaxOpset, create_reshape},
      {"Scatter", "", 9, 10, create_scatter_elements},
      {"ScatterElements", "", 11, kMaxOpset, create_scatter_elements},
      {"ScatterND", "", 11, kMaxOpset, create_scatter_nd},
      {"Shape", "", 1, kMaxOpset, create_shape},
      {"Size", "", 1, kMaxOpset, create_size},
      {"Slice", "", 1, kMaxOpset, create_slice},
      {"Split", "", 1, kMaxOpset, create_split},
      {"Squeeze", "", 1, kMaxOpset, create_squeeze},
      {"Tile", "", 1, kMaxOpset, create_tile},
      {"Transpose", "", 1, kMaxOpset, create_transpose},
      {"Trilu", "", 14, kMaxOpset, create_trilu},
      {"Unsqueeze", "", 1, kMaxOpset, create_unsqueeze},
  };
}

}  // namespace onyx::cpu
