// The whole public C++ API of cvcore.
#pragma once

#include "cvcore/activation.hpp"
#include "cvcore/boxes.hpp"
#include "cvcore/cocoeval.hpp"
#include "cvcore/conv.hpp"
#include "cvcore/device.hpp"
#include "cvcore/epilogue.hpp"
#include "cvcore/error.hpp"
#include "cvcore/kmeans.hpp"
#include "cvcore/linear.hpp"
#include "cvcore/nms.hpp"
#include "cvcore/pool.hpp"
#include "cvcore/preprocess.hpp"
#include "cvcore/norm.hpp"
#include "cvcore/roi.hpp"
#include "cvcore/runtime.hpp"
#include "cvcore/tensor.hpp"
