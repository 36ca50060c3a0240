// Einsum (opset 12): Einstein summation over any number of operands, with "..." (broadcast dims, right-aligned),
// repeated labels within an operand (diagonals), implicit output (ellipsis dims, then the labels used once,
// sorted) and explicit "->" output.
// Variants:
//   permute  one operand, output = its labels reordered ("bij->bji"): Transpose's kernel, any dtype
//   matmul   float32, two operands, no diagonal / broadcast / one-sided summed label: each label is a batch
//            (A, B, out), m (A, out), n (B, out) or k (A, B) label; operands are read as [batch, m, k] /
//            [batch, k, n] directly or transposed, and one gemm_f32_batched call does the work
//            ("bhid,bhjd->bhij", "bhij,bhjd->bhid", "ij,jk->ik")
//   direct   everything else: for each output element, an odometer walk over the summed labels with
//            per-operand label strides (diagonals are summed strides, broadcast dims stride 0); also the
//            reference the matmul path is tested against
#include <algorithm>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "src/core/dtype_dispatch.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/gemm/gemm.h"
#include "src/ep/cpu/kernels/math/math_kernels.h"
#include "src/ep/cpu/kernels/math/math_util.h"
#include "src/ep/cpu/kernels/tensor/transpose.h"

namespace onyx::cpu {

namespace {

constexpr int kNumLetters = 52;  // a-z -> 0..25, A-Z -> 26..51; ellipsis dims get labels 52, 53, ...

// One term of the equation as written: letters (-1 marks where "..." stands).
struct Term {
  std::vector<int> labels;
  bool has_ellipsis = false;
};

int letter_label(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= 'A' && c <= 'Z') return 26 + (c - 'A');
  return -2;
}

Result<Term> parse_term(std::string_view s, std::string_view equation) {
  Term t;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.substr(i, 3) == "...") {
      if (t.has_ellipsis) return invalid_model("Einsum equation '" + std::string(equation) + "' has two '...' in a term");
      t.has_ellipsis = true;
      t.labels.push_back(-1);
      i += 2;
      continue;
    }
    const int l = letter_label(s[i]);
    if (l < 0)
      return invalid_model("Einsum equation '" + std::string(equation) + "' has an unexpected character '" +
                           std::string(1, s[i]) + "'");
    t.labels.push_back(l);
  }
  return t;
}

struct Equation {
  std::vector<Term> inputs;
  Term output;
  bool explicit_output = false;
};

Result<Equation> parse_equation(const std::string& raw) {
  std::string eq;
  for (char c : raw)
    if (c != ' ') eq += c;
  Equation e;
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  if (arrow != std::string::npos) {
    e.explicit_output = true;
    ONYX_ASSIGN_OR_RETURN(e.output, parse_term(std::string_view(eq).substr(arrow + 2), raw));
  }
  size_t start = 0;
  while (true) {
    const size_t comma = lhs.find(',', start);
    ONYX_ASSIGN_OR_RETURN(Term t, parse_term(std::string_view(lhs).substr(start, comma - start), raw));
    e.inputs.push_back(std::move(t));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return e;
}

// The equation resolved against the input shapes: every axis of every operand and of the output gets a label.
struct Plan {
  std::vector<std::vector<int>> operand_labels;  // per operand, per axis
  std::vector<int> out_labels;
  std::vector<int64_t> label_dim;  // indexed by label
  Shape out_shape;
};

Result<Plan> make_plan(const KernelContext& ctx, const Equation& eq, std::span<const Tensor* const> xs) {
  if (eq.inputs.size() != xs.size())
    return ctx.invalid("equation has " + std::to_string(eq.inputs.size()) + " operands but the node has " +
                       std::to_string(xs.size()) + " inputs");
  Plan p;
  int64_t ell_rank = 0;
  std::vector<int64_t> ell_of(xs.size(), 0);
  for (size_t i = 0; i < xs.size(); ++i) {
    const int64_t named = static_cast<int64_t>(eq.inputs[i].labels.size()) - (eq.inputs[i].has_ellipsis ? 1 : 0);
    const int64_t rank = static_cast<int64_t>(xs[i]->rank());
    if (rank < named || (!eq.inputs[i].has_ellipsis && rank != named))
      return ctx.invalid("operand " + std::to_string(i) + " has shape " + shape_to_string(xs[i]->shape()) +
                         " but its equation term names " + std::to_string(named) + " dims");
    ell_of[i] = rank - named;
    ell_rank = std::max(ell_rank, ell_of[i]);
  }
  p.label_dim.assign(static_cast<size_t>(kNumLetters + ell_rank), -1);
  std::vector<int> uses(p.label_dim.size(), 0);
  for (size_t i = 0; i < xs.size(); ++i) {
    std::vector<int> labels;
    for (int l : eq.inputs[i].labels) {
      if (l >= 0) {
        labels.push_back(l);
        continue;
      }
      for (int64_t e = ell_rank - ell_of[i]; e < ell_rank; ++e) labels.push_back(kNumLetters + static_cast<int>(e));
    }
    for (size_t a = 0; a < labels.size(); ++a) {
      const int64_t d = xs[i]->dim(a);
      int64_t& ld = p.label_dim[labels[a]];
      if (ld == -1 || ld == 1) ld = d;
      else if (d != ld && d != 1)
        return ctx.invalid("label dims disagree: operand " + std::to_string(i) + " has shape " +
                           shape_to_string(xs[i]->shape()) + ", another operand gives that label size " +
                           std::to_string(ld));
      ++uses[labels[a]];
    }
    p.operand_labels.push_back(std::move(labels));
  }
  if (eq.explicit_output) {
    for (int l : eq.output.labels) {
      if (l >= 0) {
        if (p.label_dim[l] < 0) return ctx.invalid("an output label does not appear in any input");
        if (std::find(p.out_labels.begin(), p.out_labels.end(), l) != p.out_labels.end())
          return ctx.invalid("an output label is repeated");
        p.out_labels.push_back(l);
      } else {
        for (int64_t e = 0; e < ell_rank; ++e) p.out_labels.push_back(kNumLetters + static_cast<int>(e));
      }
    }
  } else {
    for (int64_t e = 0; e < ell_rank; ++e) p.out_labels.push_back(kNumLetters + static_cast<int>(e));
    // sorted in ASCII order: upper case (labels 26..51) before lower case (0..25)
    for (int l = 26; l < kNumLetters; ++l)
      if (uses[l] == 1) p.out_labels.push_back(l);
    for (int l = 0; l < 26; ++l)
      if (uses[l] == 1) p.out_labels.push_back(l);
  }
  for (int l : p.out_labels) p.out_shape.push_back(p.label_dim[l]);
  return p;
}

// Per operand, the element stride each label moves (0 if absent or broadcast; diagonal axes add up).
std::vector<std::vector<int64_t>> label_strides(const Plan& p, std::span<const Tensor* const> xs) {
  std::vector<std::vector<int64_t>> strides(xs.size(), std::vector<int64_t>(p.label_dim.size(), 0));
  for (size_t i = 0; i < xs.size(); ++i) {
    int64_t s = 1;
    for (size_t a = p.operand_labels[i].size(); a-- > 0;) {
      const int l = p.operand_labels[i][a];
      if (xs[i]->dim(a) != 1 || p.label_dim[l] == 1) strides[i][l] += s;
      s *= xs[i]->dim(a);
    }
  }
  return strides;
}

template <typename T>
void einsum_direct(const Plan& p, std::span<const Tensor* const> xs, T* y) {
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, T>;
  const auto strides = label_strides(p, xs);
  std::vector<int> sum_labels;
  for (size_t l = 0; l < p.label_dim.size(); ++l)
    if (p.label_dim[l] >= 0 && std::find(p.out_labels.begin(), p.out_labels.end(), static_cast<int>(l)) ==
                                   p.out_labels.end())
      sum_labels.push_back(static_cast<int>(l));
  int64_t sum_count = 1;
  for (int l : sum_labels) sum_count *= p.label_dim[l];
  const size_t n_ops = xs.size();
  const int64_t out_numel = shape_numel(p.out_shape);
  parallel_for(out_numel, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, sum_count)), [&](int64_t b, int64_t e) {
    std::vector<int64_t> base(n_ops), off(n_ops), idx(sum_labels.size());
    for (int64_t o = b; o < e; ++o) {
      std::fill(base.begin(), base.end(), 0);
      int64_t rem = o;
      for (size_t k = p.out_labels.size(); k-- > 0;) {
        const int l = p.out_labels[k];
        const int64_t v = rem % p.label_dim[l];
        rem /= p.label_dim[l];
        for (size_t i = 0; i < n_ops; ++i) base[i] += v * strides[i][l];
      }
      off = base;
      std::fill(idx.begin(), idx.end(), 0);
      Acc acc = 0;
      for (int64_t s = 0; s < sum_count; ++s) {
        Acc prod = 1;
        for (size_t i = 0; i < n_ops; ++i) prod *= static_cast<Acc>(xs[i]->data<T>()[off[i]]);
        acc += prod;
        for (size_t k = sum_labels.size(); k-- > 0;) {  // odometer over the summed labels
          const int l = sum_labels[k];
          for (size_t i = 0; i < n_ops; ++i) off[i] += strides[i][l];
          if (++idx[k] < p.label_dim[l]) break;
          for (size_t i = 0; i < n_ops; ++i) off[i] -= strides[i][l] * p.label_dim[l];
          idx[k] = 0;
        }
      }
      y[o] = static_cast<T>(acc);
    }
  });
}

// Operand `x` (labels `have`) laid out as the label sequence `want`: nullptr-free pointer to either x's data or
// a transposed copy kept in `scratch`.
const float* arrange(const Tensor& x, const std::vector<int>& have, const std::vector<int>& want,
                     std::vector<float>& scratch) {
  if (have == want) return x.data<float>();
  std::vector<int64_t> perm;
  for (int l : want) perm.push_back(std::find(have.begin(), have.end(), l) - have.begin());
  scratch.resize(static_cast<size_t>(x.numel()));
  transpose(x.data<float>(), scratch.data(), x.shape(), perm, sizeof(float));
  return scratch.data();
}

std::vector<int> concat(std::initializer_list<const std::vector<int>*> parts) {
  std::vector<int> out;
  for (const auto* p : parts) out.insert(out.end(), p->begin(), p->end());
  return out;
}

// The matmul variant; false when the equation does not fit it (then the caller uses einsum_direct).
Result<bool> einsum_matmul(const Plan& p, std::span<const Tensor* const> xs, float* y) {
  if (xs.size() != 2) return false;
  const auto& la = p.operand_labels[0];
  const auto& lb = p.operand_labels[1];
  auto in = [](const std::vector<int>& v, int l) { return std::find(v.begin(), v.end(), l) != v.end(); };
  for (size_t i = 0; i < 2; ++i) {
    const auto& ls = p.operand_labels[i];
    for (size_t a = 0; a < ls.size(); ++a) {
      if (std::count(ls.begin(), ls.end(), ls[a]) > 1) return false;     // diagonal
      if (xs[i]->dim(a) != p.label_dim[ls[a]]) return false;              // broadcast
    }
  }
  std::vector<int> batch, m, n, k;
  for (int l : p.out_labels) {
    if (in(la, l) && in(lb, l)) batch.push_back(l);
    else if (in(la, l)) m.push_back(l);
    else n.push_back(l);
  }
  for (int l : la)
    if (!in(p.out_labels, l)) {
      if (!in(lb, l)) return false;  // summed over one operand only
      k.push_back(l);
    }
  for (int l : lb)
    if (!in(p.out_labels, l) && !in(la, l)) return false;
  auto size = [&](const std::vector<int>& ls) {
    int64_t s = 1;
    for (int l : ls) s *= p.label_dim[l];
    return s;
  };
  const int64_t nb = size(batch), nm = size(m), nn = size(n), nk = size(k);
  GemmParams gp{.m = nm, .n = nn, .k = nk};
  std::vector<float> sa, sb, sy;
  const float* a = nullptr;
  const float* b = nullptr;
  if (la == concat({&batch, &k, &m}) && !m.empty() && !k.empty()) {
    gp.trans_a = true;
    a = xs[0]->data<float>();
  } else {
    a = arrange(*xs[0], la, concat({&batch, &m, &k}), sa);
  }
  if (lb == concat({&batch, &n, &k}) && !n.empty() && !k.empty()) {
    gp.trans_b = true;
    b = xs[1]->data<float>();
  } else {
    b = arrange(*xs[1], lb, concat({&batch, &k, &n}), sb);
  }
  const std::vector<int> natural = concat({&batch, &m, &n});
  float* c = y;
  if (natural != p.out_labels) {
    sy.resize(static_cast<size_t>(nb * nm * nn));
    c = sy.data();
  }
  std::vector<int64_t> a_off(static_cast<size_t>(nb)), b_off(a_off.size()), c_off(a_off.size());
  for (int64_t i = 0; i < nb; ++i) {
    a_off[i] = i * nm * nk;
    b_off[i] = i * nk * nn;
    c_off[i] = i * nm * nn;
  }
  ONYX_RETURN_IF_ERROR(gemm_f32_batched(gp, a, a_off, b, b_off, c, c_off));
  if (c != y) {
    Shape natural_shape;
    for (int l : natural) natural_shape.push_back(p.label_dim[l]);
    std::vector<int64_t> perm;
    for (int l : p.out_labels) perm.push_back(std::find(natural.begin(), natural.end(), l) - natural.begin());
    transpose(c, y, natural_shape, perm, sizeof(float));
  }
  return true;
}

// One operand whose output is a reordering of all its (distinct) labels: "bij->bji". Fills perm.
bool is_permutation(const Plan& p, std::vector<int64_t>& perm) {
  if (p.operand_labels.size() != 1) return false;
  const auto& ls = p.operand_labels[0];
  if (ls.size() != p.out_labels.size()) return false;
  for (int l : p.out_labels) {
    const auto it = std::find(ls.begin(), ls.end(), l);
    if (it == ls.end()) return false;
    perm.push_back(it - ls.begin());
  }
  return true;
}

class EinsumKernel final : public Kernel {
 public:
  explicit EinsumKernel(Equation eq) : eq_(std::move(eq)) {}

  Status compute(KernelContext& ctx) const override {
    std::vector<const Tensor*> xs;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, i));
      xs.push_back(x);
    }
    if (xs.empty()) return ctx.invalid("Einsum needs at least one input");
    ONYX_RETURN_IF_ERROR(math::check_same_dtype(ctx, xs));
    ONYX_ASSIGN_OR_RETURN(Plan p, make_plan(ctx, eq_, xs));
    Tensor& y = ctx.allocate_output(0, xs[0]->dtype(), p.out_shape);
    if (y.numel() == 0) return ok_status();
    if (std::vector<int64_t> perm; dtype_size(xs[0]->dtype()) != 0 && is_permutation(p, perm)) {
      transpose(xs[0]->raw_data(), y.raw_data(), xs[0]->shape(), perm, dtype_size(xs[0]->dtype()));
      return ok_status();
    }
    return visit_dtype<float, double, int32_t, int64_t, uint32_t, uint64_t>(
        xs[0]->dtype(), "Einsum", [&]<typename T>() -> Status {
          if constexpr (std::is_same_v<T, float>) {
            ONYX_ASSIGN_OR_RETURN(bool done, einsum_matmul(p, xs, y.data<float>()));
            if (done) return ok_status();
          }
          einsum_direct<T>(p, xs, y.data<T>());
          return ok_status();
        });
  }

 private:
  Equation eq_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_einsum(const KernelInfo& info) {
  const std::string equation = info.node.attr_string("equation", "");
  if (equation.empty()) return info.invalid("attribute 'equation' is required");
  Result<Equation> eq = parse_equation(equation);
  if (!eq.ok()) return info.invalid(eq.status().message());
  if (eq->inputs.size() != info.node.num_inputs())
    return info.invalid("equation '" + equation + "' has " + std::to_string(eq->inputs.size()) +
                        " operands but the node has " + std::to_string(info.node.num_inputs()) + " inputs");
  return std::unique_ptr<Kernel>(std::make_unique<EinsumKernel>(std::move(eq).value()));
}

}  // namespace onyx::cpu
