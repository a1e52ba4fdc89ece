// Depthwise convolutions (groups == in_channels, a multiplier of output channels per input channel):
// one output plane per unit, its input plane zero-padded into the thread's buffer, then the per-ISA
// stencil kernel.
#include "cpu/conv/drivers.hpp"
#include "cpu/conv/layout.hpp"
#include "cpu/parallel.hpp"
#include "cpu/scratch.hpp"

namespace cvcore::cpu {

void conv2d_depthwise(const ConvProblem& p, float* y) {
  const ConvGeometry& g = p.g;
  const Kernels& k = *p.k;
  const int64_t Hp = g.in_h + g.pad_top + g.pad_bottom, Wp = g.in_w + g.pad_left + g.pad_right;
  const int64_t mult = g.out_channels / g.in_channels;
  const int64_t planes = g.batch * g.out_channels, ksize = g.kernel_h * g.kernel_w;
  // A unit copies its plane into the padded buffer, then runs the stencil.
  const UnitCost unit = elements(double(Hp * Wp)) + conv_share(g, planes);
  parallel_for(
      planes, p.threads, unit,
      [&] {
        // Slack: even-element loads of stride-2 rows read up to 2 vectors past a row. The kernel's
        // workspace follows.
        return scratch_array<float>(ScratchSlot::plane,
                                    static_cast<size_t>(Hp * Wp + 2 * k.width + depthwise_workspace_floats(g, Wp)));
      },
      [&](float* xp, int64_t plane) {
        const int64_t n = plane / g.out_channels, oc = plane % g.out_channels;
        pad_channels(g, p.x + (n * g.in_channels + oc / mult) * g.in_h * g.in_w, xp, Hp, Wp, 0, 1);
        k.depthwise_plane(g, xp, Wp, p.w + oc * ksize, p.bias ? p.bias[oc] : 0.f, p.act.kind,
                          p.act.slope ? p.act.slope[oc] : 0.f, y + plane * g.out_h * g.out_w, xp + Hp * Wp + 2 * k.width);
      });
}

}  // namespace cvcore::cpu
