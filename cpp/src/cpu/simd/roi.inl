// crop_resize's resampling of one channel of a RoI (its taps from cpu/roi.cpp), kWidth output rows at
// a time. Along y, each block of kWidth columns of those rows is summed in registers and transposed,
// so that a column of the rows is one vector (rows_t[i * kWidth + r]); along x, each output column is
// then a sum of whole vectors, one per tap, and kWidth output columns are transposed back into rows.
// Every sum runs in tap order from zero, so each output is computed the same way whatever its
// position, its neighbours or the thread.

static inline Vec load_floats(const float* p) { return vloadu(p); }
static inline Vec load_floats(const uint8_t* p) { return vload_u8(p); }

// p[0 .. n - 1] as floats and zeros after them (a row narrower than a vector, n < kWidth).
template <typename T>
static inline Vec load_narrow(const T* p, int64_t n, float* tmp) {
  for (int64_t i = 0; i < kWidth; ++i) tmp[i] = i < n ? static_cast<float>(p[i]) : 0.0f;
  return vloadu(tmp);
}

template <typename T>
static void crop_channel(const CropTaps& t, const T* plane, int64_t width, float* out, float* ws) {
  const int64_t PH = t.out_h, PW = t.out_w, span = t.span;
  float* rows_t = ws;                          // max(span, kWidth) columns of kWidth rows
  float* tmp = ws + (span + kWidth) * kWidth;  // a vector's worth of floats
  const Vec count = vset1(t.count);
  for (int64_t p0 = 0; p0 < PH; p0 += kWidth) {
    const int64_t rows = min64(kWidth, PH - p0);
    for (int64_t i0 = 0; i0 < span; i0 += kWidth) {  // y pass
      const int64_t at = span >= kWidth ? min64(i0, span - kWidth) : 0;  // the last block overlaps the previous one
      Vec v[kWidth];
      for (int64_t r = 0; r < kWidth; ++r) {
        Vec acc = vzero();
        if (r < rows) {
          const CropTap* taps = t.rows + (p0 + r) * t.row_stride;
          for (int64_t j = 0; j < t.row_count[p0 + r]; ++j) {
            const T* src = plane + taps[j].index * width + t.first + at;
            acc = vfma(vset1(taps[j].weight), span >= kWidth ? load_floats(src) : load_narrow(src, span, tmp), acc);
          }
        }
        v[r] = acc;
      }
      vtranspose(v);
      for (int64_t k = 0; k < kWidth; ++k) vstoreu(rows_t + (at + k) * kWidth, v[k]);
    }
    for (int64_t q0 = 0; q0 < PW; q0 += kWidth) {  // x pass
      const int64_t at = PW >= kWidth ? min64(q0, PW - kWidth) : 0;
      Vec v[kWidth];
      for (int64_t k = 0; k < kWidth; ++k) {
        const int64_t q = min64(at + k, PW - 1);
        Vec acc = vzero();
        for (int64_t j = 0; j < t.column_taps; ++j)
          acc = vfma(vset1(t.column_weight[j * PW + q]), vloadu(rows_t + t.column[j * PW + q] * kWidth), acc);
        v[k] = vdiv(acc, count);
      }
      vtranspose(v);
      for (int64_t r = 0; r < rows; ++r) {
        float* o = out + (p0 + r) * PW + at;
        if (PW >= kWidth) {
          vstoreu(o, v[r]);
        } else {
          vstoreu(tmp, v[r]);
          std::memcpy(o, tmp, sizeof(float) * PW);
        }
      }
    }
  }
}

static void crop_channel_u8(const CropTaps& t, const uint8_t* plane, int64_t width, float* out, float* ws) {
  crop_channel(t, plane, width, out, ws);
}
static void crop_channel_f32(const CropTaps& t, const float* plane, int64_t width, float* out, float* ws) {
  crop_channel(t, plane, width, out, ws);
}
