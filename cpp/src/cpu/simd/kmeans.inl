// k-means: nearest centre for low-dimensional points (d <= 4, e.g. box (w, h) pairs), where a GEMM
// has too little depth to pay off. The points of a block are transposed to one array per coordinate,
// so that the loop over points (the inner loop) vectorises: every centre is compared against a
// vector of points, keeping a running minimum and its index (ties: the lower centre index).

template <typename T, int D>
static void nearest_lowd_dim(const T* x, int64_t rows, const T* c, int64_t k, int32_t* labels, T* mind) {
  constexpr int64_t kBlock = 256;
  alignas(64) T xs[D][kBlock];
  alignas(64) T best[kBlock];
  alignas(64) int32_t lab[kBlock];
  for (int64_t r0 = 0; r0 < rows; r0 += kBlock) {
    const int64_t m = min64(kBlock, rows - r0);
    for (int64_t i = 0; i < m; ++i)
      for (int t = 0; t < D; ++t) xs[t][i] = x[(r0 + i) * D + t];
    for (int64_t i = 0; i < m; ++i) {
      T s = 0;
      for (int t = 0; t < D; ++t) {
        const T diff = xs[t][i] - c[t];
        s += diff * diff;
      }
      best[i] = s;
      lab[i] = 0;
    }
    for (int64_t j = 1; j < k; ++j) {
      T cj[D];
      for (int t = 0; t < D; ++t) cj[t] = c[j * D + t];
      const int32_t jj = static_cast<int32_t>(j);
#pragma GCC ivdep
      for (int64_t i = 0; i < m; ++i) {
        T s = 0;
        for (int t = 0; t < D; ++t) {
          const T diff = xs[t][i] - cj[t];
          s += diff * diff;
        }
        const bool lt = s < best[i];
        best[i] = lt ? s : best[i];
        lab[i] = lt ? jj : lab[i];
      }
    }
    for (int64_t i = 0; i < m; ++i) {
      labels[r0 + i] = lab[i];
      if (mind) mind[r0 + i] = best[i];
    }
  }
}

template <typename T>
static void nearest_lowd(const T* x, int64_t rows, int64_t d, const T* c, int64_t k, int32_t* labels, T* mind) {
  switch (d) {
    case 1: return nearest_lowd_dim<T, 1>(x, rows, c, k, labels, mind);
    case 2: return nearest_lowd_dim<T, 2>(x, rows, c, k, labels, mind);
    case 3: return nearest_lowd_dim<T, 3>(x, rows, c, k, labels, mind);
    default: return nearest_lowd_dim<T, 4>(x, rows, c, k, labels, mind);
  }
}

static void nearest_lowd_f32(const float* x, int64_t rows, int64_t d, const float* c, int64_t k, int32_t* labels,
                             float* mind) {
  nearest_lowd<float>(x, rows, d, c, k, labels, mind);
}

static void nearest_lowd_f64(const double* x, int64_t rows, int64_t d, const double* c, int64_t k, int32_t* labels,
                             double* mind) {
  nearest_lowd<double>(x, rows, d, c, k, labels, mind);
}

// k-means, GEMM path: for the dot products dots[j * rows + i] = x_i . c_j (rows <= 256), labels[i] =
// argmin_j cn[j] - 2 dots[j, i] (ties to the lower j) and best[i] = that minimum.
static void argmin_dots(const float* dots, int64_t rows, int64_t k, const float* cn, int32_t* labels, float* best) {
  constexpr int64_t kBlock = 256;
  alignas(64) float b[kBlock];
  alignas(64) int32_t lab[kBlock];
  for (int64_t r0 = 0; r0 < rows; r0 += kBlock) {
    const int64_t m = min64(kBlock, rows - r0);
    const float c0 = cn[0];
    for (int64_t i = 0; i < m; ++i) {
      b[i] = c0 - 2.f * dots[r0 + i];
      lab[i] = 0;
    }
    for (int64_t j = 1; j < k; ++j) {
      const float* dj = dots + j * rows + r0;
      const float cj = cn[j];
      const int32_t jj = static_cast<int32_t>(j);
#pragma GCC ivdep
      for (int64_t i = 0; i < m; ++i) {
        const float v = cj - 2.f * dj[i];
        const bool lt = v < b[i];
        b[i] = lt ? v : b[i];
        lab[i] = lt ? jj : lab[i];
      }
    }
    for (int64_t i = 0; i < m; ++i) {
      labels[r0 + i] = lab[i];
      best[r0 + i] = b[i];
    }
  }
}
