// The only translation unit of the training library that includes libtorch:
// float module construction, training, checkpoints, dequantization and
// post-training quantization.
#include <oda/train/float_model.h>

#include <oda/train/quantize_math.h>

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

namespace oda::train {

using model::Architecture;
using model::Dataset;
using model::LayerKind;
using model::ObjectiveKind;

namespace {

/** Largest float checkpoint we load (a model within consensus limits is far smaller). */
constexpr uint64_t MAX_CHECKPOINT_BYTES = 1ull << 30;

uint64_t Product(const std::vector<uint32_t>& shape)
{
    uint64_t p = 1;
    for (uint32_t d : shape) p *= d;
    return p;
}

bool Accumulates(LayerKind k) { return k == LayerKind::DENSE || k == LayerKind::CONV2D; }

std::vector<int64_t> ToSizes(const std::vector<uint32_t>& shape, int64_t batch)
{
    std::vector<int64_t> sizes{batch};
    for (uint32_t d : shape) sizes.push_back(d);
    return sizes;
}

} // namespace

void SetTorchThreads(int threads)
{
    torch::set_num_threads(std::max(1, threads));
}

bool DatasetFits(const Architecture& arch, const Dataset& data, std::string& error)
{
    model::ArchitectureInfo info;
    if (!model::AnalyzeArchitecture(arch, info, error)) return false;
    if (!model::CheckDataset(arch, info, data, error)) return false;
    if (data.sample_count == 0) {
        error = "dataset is empty";
        return false;
    }
    return true;
}

// ------------------------------------------------------------------ the float network

struct FloatModel::Impl {
    Architecture arch;
    model::ArchitectureInfo info;
    double input_scale{DEFAULT_INPUT_SCALE};
    int8_t input_zero_point{DEFAULT_INPUT_ZERO_POINT};
    std::shared_ptr<torch::nn::Module> root;  //!< owns "layers.<i>" submodules
    mutable std::vector<torch::nn::AnyModule> layers;  // forward() is non-const in libtorch
    std::vector<torch::nn::Linear> linears;   //!< by layer index (empty handle if not Dense)
    std::vector<torch::nn::Conv2d> convs;

    torch::Tensor Weight(size_t i) const { return arch.layers[i].kind == LayerKind::DENSE ? linears[i]->weight : convs[i]->weight; }
    torch::Tensor Bias(size_t i) const { return arch.layers[i].kind == LayerKind::DENSE ? linears[i]->bias : convs[i]->bias; }

    void Build(uint64_t seed)
    {
        std::string error;
        if (!model::AnalyzeArchitecture(arch, info, error)) throw std::invalid_argument(error);
        torch::manual_seed(seed);
        root = std::make_shared<torch::nn::Module>();
        // Parameter names "layers.<i>.weight": a container "layers" with submodules "<i>".
        auto container = root->register_module("layers", std::make_shared<torch::nn::Module>());
        linears.assign(arch.layers.size(), torch::nn::Linear{nullptr});
        convs.assign(arch.layers.size(), torch::nn::Conv2d{nullptr});
        std::vector<uint32_t> in = arch.input_shape;
        for (size_t i = 0; i < arch.layers.size(); ++i) {
            const auto& L = arch.layers[i];
            const std::string name = std::to_string(i);
            switch (L.kind) {
            case LayerKind::DENSE: {
                auto m = torch::nn::Linear(torch::nn::LinearOptions(in[0], L.out_features));
                container->register_module(name, m);
                linears[i] = m;
                layers.emplace_back(m);
                break;
            }
            case LayerKind::CONV2D: {
                auto m = torch::nn::Conv2d(torch::nn::Conv2dOptions(in[0], L.out_features, {L.kernel_h, L.kernel_w})
                                               .stride({L.stride_h, L.stride_w})
                                               .padding({L.pad_h, L.pad_w}));
                container->register_module(name, m);
                convs[i] = m;
                layers.emplace_back(m);
                break;
            }
            case LayerKind::MAXPOOL2D:
                layers.emplace_back(torch::nn::MaxPool2d(
                    torch::nn::MaxPool2dOptions({L.kernel_h, L.kernel_w}).stride({L.stride_h, L.stride_w})));
                break;
            case LayerKind::AVGPOOL2D:
                layers.emplace_back(torch::nn::AvgPool2d(
                    torch::nn::AvgPool2dOptions({L.kernel_h, L.kernel_w}).stride({L.stride_h, L.stride_w})));
                break;
            case LayerKind::RELU:
                layers.emplace_back(torch::nn::ReLU());
                break;
            case LayerKind::FLATTEN:
                layers.emplace_back(torch::nn::Flatten());
                break;
            }
            in = info.layers[i].out_shape;
        }
    }

    /** Runs layers [0, n) ; n = all by default. */
    torch::Tensor Forward(torch::Tensor x, size_t n = SIZE_MAX) const
    {
        n = std::min(n, layers.size());
        for (size_t i = 0; i < n; ++i) x = layers[i].forward(x);
        return x;
    }

    torch::Tensor InputsToFloat(const Dataset& d, const torch::Tensor& index) const
    {
        auto all = torch::from_blob(const_cast<int8_t*>(d.inputs.data()),
                                    ToSizes(d.input_shape, static_cast<int64_t>(d.sample_count)), torch::kInt8);
        return all.index_select(0, index).to(torch::kFloat32).sub_(static_cast<double>(input_zero_point)).mul_(input_scale);
    }

    torch::Tensor InputsToFloat(const Dataset& d, int64_t begin, int64_t end) const
    {
        const int64_t per = static_cast<int64_t>(Product(d.input_shape));
        auto sizes = ToSizes(d.input_shape, end - begin);
        return torch::from_blob(const_cast<int8_t*>(d.inputs.data()) + begin * per, sizes, torch::kInt8)
            .to(torch::kFloat32)
            .sub_(static_cast<double>(input_zero_point))
            .mul_(input_scale);
    }

    torch::Tensor Labels(const Dataset& d) const
    {
        std::vector<int64_t> v(d.labels.begin(), d.labels.end());
        return torch::tensor(v, torch::kInt64);
    }

    torch::Tensor Targets(const Dataset& d) const
    {
        std::vector<float> v(d.targets.begin(), d.targets.end());
        return torch::tensor(v, torch::kFloat32).reshape({static_cast<int64_t>(d.sample_count), -1});
    }

    torch::Tensor Loss(const torch::Tensor& out, const torch::Tensor& target) const
    {
        if (arch.objective == ObjectiveKind::ACCURACY) {
            return torch::nn::functional::cross_entropy(out.reshape({out.size(0), -1}), target);
        }
        return torch::mse_loss(out.reshape({out.size(0), -1}), target);
    }
};

FloatModel::FloatModel(const Architecture& arch, uint64_t seed) : m_impl(std::make_unique<Impl>())
{
    m_impl->arch = arch;
    m_impl->Build(seed);
}

FloatModel::~FloatModel() = default;

const Architecture& FloatModel::Arch() const { return m_impl->arch; }
double FloatModel::InputScale() const { return m_impl->input_scale; }
int8_t FloatModel::InputZeroPoint() const { return m_impl->input_zero_point; }
void FloatModel::SetInputQuantization(double scale, int8_t zero_point)
{
    m_impl->input_scale = scale;
    m_impl->input_zero_point = zero_point;
}

uint64_t FloatModel::ParameterCount() const
{
    uint64_t n = 0;
    for (const auto& p : m_impl->root->parameters()) n += static_cast<uint64_t>(p.numel());
    return n;
}

// ------------------------------------------------------------------ checkpoints

bool FloatModel::SaveCheckpoint(const std::string& path, std::string& error) const
{
    try {
        c10::Dict<std::string, torch::Tensor> dict;
        for (const auto& item : m_impl->root->named_parameters()) {
            dict.insert(item.key(), item.value().detach().clone().contiguous());
        }
        dict.insert("input.zero_point", torch::tensor(static_cast<int64_t>(m_impl->input_zero_point)));
        dict.insert("input.scale", torch::tensor(m_impl->input_scale, torch::kFloat64)); // exact double
        std::vector<char> bytes = torch::pickle_save(dict);
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) {
            error = "cannot write " + path;
            return false;
        }
    } catch (const std::exception& e) {
        error = std::string("cannot save checkpoint: ") + e.what();
        return false;
    }
    return true;
}

bool FloatModel::LoadCheckpoint(const std::string& path, std::string& error)
{
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) {
        error = "cannot open " + path;
        return false;
    }
    const auto size = static_cast<uint64_t>(in.tellg());
    if (size > MAX_CHECKPOINT_BYTES) {
        error = path + " is larger than the checkpoint limit";
        return false;
    }
    in.seekg(0);
    std::vector<char> bytes(size);
    if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) {
        error = "cannot read " + path;
        return false;
    }
    std::map<std::string, torch::Tensor> found;
    try {
        torch::IValue v = torch::pickle_load(bytes);
        if (!v.isGenericDict()) {
            error = path + ": checkpoint is not a dict of tensors";
            return false;
        }
        for (const auto& entry : v.toGenericDict()) {
            if (!entry.key().isString() || !entry.value().isTensor()) {
                error = path + ": checkpoint entries must be str -> Tensor";
                return false;
            }
            found[entry.key().toStringRef()] = entry.value().toTensor();
        }
    } catch (const std::exception& e) {
        error = path + ": not a readable torch checkpoint (" + std::string(e.what()).substr(0, 200) + ")";
        return false;
    }
    torch::NoGradGuard no_grad;
    auto params = m_impl->root->named_parameters();
    for (const auto& item : params) {
        auto it = found.find(item.key());
        if (it == found.end()) {
            error = path + ": missing tensor " + item.key();
            return false;
        }
        torch::Tensor t = it->second;
        if (t.sizes() != item.value().sizes()) {
            std::ostringstream ss;
            ss << path << ": tensor " << item.key() << " has shape " << t.sizes() << ", the architecture needs "
               << item.value().sizes();
            error = ss.str();
            return false;
        }
        if (!t.is_floating_point()) {
            error = path + ": tensor " + item.key() + " is not floating point";
            return false;
        }
        t = t.to(torch::kFloat32);
        if (!torch::isfinite(t).all().item<bool>()) {
            error = path + ": tensor " + item.key() + " has non-finite values";
            return false;
        }
        item.value().copy_(t);
        found.erase(it);
    }
    if (auto it = found.find("input.zero_point"); it != found.end()) {
        int64_t zp = it->second.item<int64_t>();
        if (zp < -128 || zp > 127) {
            error = path + ": input.zero_point out of int8 range";
            return false;
        }
        m_impl->input_zero_point = static_cast<int8_t>(zp);
        found.erase(it);
    }
    if (auto it = found.find("input.scale"); it != found.end()) {
        double s = it->second.item<double>();
        if (!(s > 0) || !std::isfinite(s)) {
            error = path + ": input.scale must be positive";
            return false;
        }
        m_impl->input_scale = s;
        found.erase(it);
    }
    if (!found.empty()) {
        error = path + ": unexpected tensor " + found.begin()->first + " (not a parameter of this architecture)";
        return false;
    }
    return true;
}

// ------------------------------------------------------------------ dequantization

bool FloatModel::LoadFromWeights(const model::Weights& w, std::string& error)
{
    const Architecture& arch = m_impl->arch;
    if (w.layers.size() != arch.layers.size()) {
        error = "weights have " + std::to_string(w.layers.size()) + " layers, the architecture " +
                std::to_string(arch.layers.size());
        return false;
    }
    torch::NoGradGuard no_grad;
    m_impl->input_zero_point = w.input_zero_point;
    double s_in = m_impl->input_scale;
    for (size_t i = 0; i < arch.layers.size(); ++i) {
        const auto& L = arch.layers[i];
        const auto& P = w.layers[i];
        if (!Accumulates(L.kind)) continue;
        torch::Tensor weight = m_impl->Weight(i);
        torch::Tensor bias = m_impl->Bias(i);
        const int64_t out = weight.size(0);
        const int64_t per_out = weight.numel() / out;
        const bool logits = arch.logits_output && i + 1 == arch.layers.size();
        if (P.weights.size() != static_cast<size_t>(weight.numel()) || P.biases.size() != static_cast<size_t>(out) ||
            P.multipliers.size() != P.shifts.size() ||
            (!logits && P.multipliers.size() != 1 && P.multipliers.size() != static_cast<size_t>(out))) {
            error = "weights of layer " + std::to_string(i) + " do not match the architecture";
            return false;
        }
        const bool last = i + 1 == arch.layers.size() || [&] {
            for (size_t j = i + 1; j < arch.layers.size(); ++j) if (Accumulates(arch.layers[j].kind)) return false;
            return true;
        }();
        const bool target_units = arch.objective == ObjectiveKind::NEG_SSE && last;
        auto m_of = [&](int64_t c) {
            const size_t k = P.multipliers.size() == 1 ? 0 : static_cast<size_t>(c);
            return RequantToReal(Requant{P.multipliers[k], P.shifts[k]});
        };
        std::vector<double> max_abs_q(out, 0.0);
        for (int64_t c = 0; c < out; ++c) {
            for (int64_t j = 0; j < per_out; ++j) {
                max_abs_q[c] = std::max(max_abs_q[c], std::abs(double(P.weights[c * per_out + j])));
            }
        }
        // Gauge choice: only in_scale * w_scale / out_scale is fixed by the integer model;
        // we pick out_scale so that the largest float weight is 2 / sqrt(fan_in)
        // (a trainable magnitude), or the exact output units where the objective needs them.
        const double target_max = 2.0 / std::sqrt(static_cast<double>(per_out));
        std::vector<double> w_scale(out, 1.0);
        double s_out = 1.0;
        if (logits) {
            double maxq = *std::max_element(max_abs_q.begin(), max_abs_q.end());
            double s = target_units ? 1.0 / s_in : (maxq > 0 ? target_max / maxq : 1.0);
            std::fill(w_scale.begin(), w_scale.end(), s);
        } else {
            if (target_units) {
                s_out = 1.0;
            } else {
                double big = 0;
                for (int64_t c = 0; c < out; ++c) big = std::max(big, max_abs_q[c] * m_of(c));
                s_out = big > 0 ? target_max * s_in / big : s_in;
            }
            for (int64_t c = 0; c < out; ++c) {
                w_scale[c] = m_of(c) * s_out / s_in;
                if (!(w_scale[c] > 0)) w_scale[c] = 0;
            }
        }
        std::vector<float> wf(weight.numel()), bf(out);
        for (int64_t c = 0; c < out; ++c) {
            for (int64_t j = 0; j < per_out; ++j) wf[c * per_out + j] = static_cast<float>(P.weights[c * per_out + j] * w_scale[c]);
            bf[c] = static_cast<float>(P.biases[c] * s_in * w_scale[c]);
        }
        weight.copy_(torch::tensor(wf).reshape(weight.sizes()));
        bias.copy_(torch::tensor(bf));
        if (!logits) s_in = s_out;
    }
    return true;
}

double FloatModel::FitOutputScale(const Dataset& data, uint64_t samples)
{
    Impl& I = *m_impl;
    std::string error;
    if (I.arch.objective != ObjectiveKind::ACCURACY || !DatasetFits(I.arch, data, error)) return 1.0;
    // Layers after the last accumulating one (ReLU, pools, Flatten) commute with a
    // positive factor, so scaling its weights and bias by t scales the output by t.
    size_t last = I.arch.layers.size();
    for (size_t i = 0; i < I.arch.layers.size(); ++i) if (Accumulates(I.arch.layers[i].kind)) last = i;
    if (last == I.arch.layers.size()) return 1.0;
    torch::NoGradGuard no_grad;
    const int64_t n = static_cast<int64_t>(std::min<uint64_t>(samples ? samples : data.sample_count, data.sample_count));
    torch::Tensor out = I.Forward(I.InputsToFloat(data, 0, n)).reshape({n, -1});
    torch::Tensor y = I.Labels(data).slice(0, 0, n);
    double best_t = 1.0, best_loss = std::numeric_limits<double>::infinity();
    for (int e = -48; e <= 48; ++e) { // t = 2^(e/4): 1/4096 .. 4096
        const double t = std::pow(2.0, e / 4.0);
        const double loss = torch::nn::functional::cross_entropy(out * t, y).item<double>();
        if (loss < best_loss) {
            best_loss = loss;
            best_t = t;
        }
    }
    I.Weight(last).mul_(best_t);
    I.Bias(last).mul_(best_t);
    return best_t;
}

// ------------------------------------------------------------------ training

namespace {

class ProgressBar
{
public:
    ProgressBar(bool enabled, uint32_t epoch, uint32_t epochs, uint64_t total)
        : m_enabled(enabled), m_epoch(epoch), m_epochs(epochs), m_total(total), m_start(Clock::now()) {}

    void Update(uint64_t done, double loss, double acc, bool has_acc, bool force = false)
    {
        if (!m_enabled) return;
        auto now = Clock::now();
        if (!force && now - m_last < std::chrono::milliseconds(200)) return;
        m_last = now;
        const int width = 30;
        const double frac = m_total ? double(done) / double(m_total) : 1.0;
        const int fill = static_cast<int>(frac * width);
        std::string bar(fill, '=');
        if (fill < width) bar += '>' + std::string(width - fill - 1, ' ');
        const double secs = std::chrono::duration<double>(now - m_start).count();
        std::fprintf(stderr, "\repoch %u/%u [%s] %3.0f%% loss %.4f", m_epoch, m_epochs, bar.c_str(), frac * 100, loss);
        if (has_acc) std::fprintf(stderr, " acc %6.2f%%", acc * 100);
        std::fprintf(stderr, " %5.1fs", secs);
        std::fflush(stderr);
    }
    void Finish(const std::string& extra)
    {
        if (!m_enabled) return;
        std::fprintf(stderr, "%s\n", extra.c_str());
    }
    double Seconds() const { return std::chrono::duration<double>(Clock::now() - m_start).count(); }

private:
    using Clock = std::chrono::steady_clock;
    bool m_enabled;
    uint32_t m_epoch, m_epochs;
    uint64_t m_total;
    Clock::time_point m_start;
    Clock::time_point m_last{};
};

void SetLearningRate(torch::optim::Optimizer& opt, bool sgd, double lr)
{
    for (auto& group : opt.param_groups()) {
        if (sgd) static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
        else static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    }
}

} // namespace

std::vector<EpochStats> FloatModel::Train(const Dataset& data, const TrainOptions& options)
{
    std::string error;
    if (!DatasetFits(m_impl->arch, data, error)) throw std::invalid_argument(error);
    if (options.validation && !DatasetFits(m_impl->arch, *options.validation, error)) {
        throw std::invalid_argument("validation set: " + error);
    }
    if (options.batch_size == 0) throw std::invalid_argument("batch size must be >= 1");
    if (!(options.learning_rate > 0)) throw std::invalid_argument("learning rate must be > 0");
    Impl& I = *m_impl;
    const bool accuracy = I.arch.objective == ObjectiveKind::ACCURACY;
    const torch::Tensor targets = accuracy ? I.Labels(data) : I.Targets(data);

    std::unique_ptr<torch::optim::Optimizer> opt;
    if (options.sgd) {
        opt = std::make_unique<torch::optim::SGD>(I.root->parameters(),
            torch::optim::SGDOptions(options.learning_rate).momentum(options.momentum).weight_decay(options.weight_decay));
    } else {
        opt = std::make_unique<torch::optim::Adam>(I.root->parameters(),
            torch::optim::AdamOptions(options.learning_rate).weight_decay(options.weight_decay));
    }
    auto gen = at::detail::createCPUGenerator(options.seed);
    const int64_t n = static_cast<int64_t>(data.sample_count);
    const int64_t bs = options.batch_size;
    const int64_t steps_per_epoch = (n + bs - 1) / bs;
    const int64_t total_steps = steps_per_epoch * options.epochs;
    int64_t step = 0;
    std::vector<EpochStats> stats;
    I.root->train();
    for (uint32_t epoch = 1; epoch <= options.epochs; ++epoch) {
        ProgressBar bar(options.progress, epoch, options.epochs, static_cast<uint64_t>(n));
        torch::Tensor order = torch::randperm(n, gen, torch::TensorOptions().dtype(torch::kInt64));
        double loss_sum = 0;
        int64_t correct = 0, seen = 0;
        for (int64_t b = 0; b < n; b += bs, ++step) {
            if (options.cosine_schedule) {
                const double t = double(step) / double(std::max<int64_t>(total_steps, 1));
                SetLearningRate(*opt, options.sgd, options.learning_rate * 0.5 * (1 + std::cos(std::acos(-1.0) * t)));
            }
            torch::Tensor idx = order.slice(0, b, std::min(n, b + bs));
            torch::Tensor x = I.InputsToFloat(data, idx);
            torch::Tensor y = targets.index_select(0, idx);
            opt->zero_grad();
            torch::Tensor out = I.Forward(x);
            torch::Tensor loss = I.Loss(out, y);
            loss.backward();
            opt->step();
            const int64_t cnt = idx.size(0);
            loss_sum += loss.item<double>() * double(cnt);
            seen += cnt;
            if (accuracy) correct += out.reshape({cnt, -1}).argmax(1).eq(y).sum().item<int64_t>();
            bar.Update(static_cast<uint64_t>(seen), loss_sum / double(seen), double(correct) / double(seen), accuracy);
        }
        EpochStats es;
        es.train_loss = loss_sum / double(seen);
        es.train_accuracy = accuracy ? double(correct) / double(seen) : 0.0;
        bar.Update(static_cast<uint64_t>(seen), es.train_loss, es.train_accuracy, accuracy, true);
        std::string extra;
        if (options.validation) {
            I.root->eval();
            es.has_validation = true;
            es.validation = Evaluate(*options.validation);
            I.root->train();
            char buf[128];
            if (accuracy) std::snprintf(buf, sizeof(buf), " | val loss %.4f acc %.2f%%", es.validation.loss, es.validation.accuracy * 100);
            else std::snprintf(buf, sizeof(buf), " | val mse %.4f", es.validation.loss);
            extra = buf;
        }
        es.seconds = bar.Seconds();
        bar.Finish(extra);
        stats.push_back(es);
    }
    I.root->eval();
    return stats;
}

EvalResult FloatModel::Evaluate(const Dataset& data) const
{
    std::string error;
    if (!DatasetFits(m_impl->arch, data, error)) throw std::invalid_argument(error);
    const Impl& I = *m_impl;
    torch::NoGradGuard no_grad;
    const bool accuracy = I.arch.objective == ObjectiveKind::ACCURACY;
    const torch::Tensor targets = accuracy ? I.Labels(data) : I.Targets(data);
    const int64_t n = static_cast<int64_t>(data.sample_count);
    double loss_sum = 0;
    int64_t correct = 0;
    for (int64_t b = 0; b < n; b += 1000) {
        const int64_t e = std::min(n, b + 1000);
        torch::Tensor out = I.Forward(I.InputsToFloat(data, b, e));
        torch::Tensor y = targets.slice(0, b, e);
        loss_sum += I.Loss(out, y).item<double>() * double(e - b);
        if (accuracy) correct += out.reshape({e - b, -1}).argmax(1).eq(y).sum().item<int64_t>();
    }
    EvalResult r;
    r.samples = static_cast<uint64_t>(n);
    r.loss = loss_sum / double(n);
    r.accuracy = accuracy ? double(correct) / double(n) : 0.0;
    return r;
}

std::vector<float> FloatModel::Forward(const Dataset& data, uint64_t count) const
{
    torch::NoGradGuard no_grad;
    count = std::min<uint64_t>(count, data.sample_count);
    if (data.input_shape != m_impl->arch.input_shape) throw std::invalid_argument("dataset input shape mismatch");
    torch::Tensor out = m_impl->Forward(m_impl->InputsToFloat(data, 0, static_cast<int64_t>(count)))
                            .reshape({static_cast<int64_t>(count), -1})
                            .contiguous();
    return std::vector<float>(out.data_ptr<float>(), out.data_ptr<float>() + out.numel());
}

// ------------------------------------------------------------------ quantization

bool FloatModel::Quantize(const Dataset& calibration, const QuantizeOptions& options, model::Weights& out,
                          std::string& error) const
{
    const Impl& I = *m_impl;
    const Architecture& arch = I.arch;
    if (calibration.input_shape != arch.input_shape || calibration.sample_count == 0 ||
        calibration.inputs.size() != calibration.sample_count * Product(calibration.input_shape)) {
        error = "calibration dataset does not fit the architecture's input";
        return false;
    }
    torch::NoGradGuard no_grad;
    const int64_t n = static_cast<int64_t>(options.calibration_samples == 0
                                               ? calibration.sample_count
                                               : std::min(options.calibration_samples, calibration.sample_count));
    // Which layer's output range each accumulating layer's int8 output must cover:
    // the layer itself, or the ReLU right after it (folded: range starts at 0).
    const size_t L = arch.layers.size();
    std::vector<size_t> range_of(L);
    for (size_t i = 0; i < L; ++i) {
        range_of[i] = (i + 1 < L && arch.layers[i + 1].kind == LayerKind::RELU) ? i + 1 : i;
    }
    // Calibration: activation ranges of every layer output.
    std::vector<double> lo(L, 0.0), hi(L, 0.0);
    for (int64_t b = 0; b < n; b += 500) {
        const int64_t e = std::min(n, b + 500);
        torch::Tensor x = I.InputsToFloat(calibration, b, e);
        for (size_t i = 0; i < L; ++i) {
            x = I.layers[i].forward(x);
            lo[i] = std::min(lo[i], x.min().item<double>());
            hi[i] = std::max(hi[i], x.max().item<double>());
        }
    }

    out = model::Weights{};
    out.architecture_hash = model::ArchitectureHash(arch);
    out.input_zero_point = I.input_zero_point;
    out.layers.resize(L);
    double s = I.input_scale;
    for (size_t i = 0; i < L; ++i) {
        const auto& layer = arch.layers[i];
        auto& P = out.layers[i];
        if (layer.kind == LayerKind::RELU || layer.kind == LayerKind::MAXPOOL2D ||
            layer.kind == LayerKind::AVGPOOL2D || layer.kind == LayerKind::FLATTEN) {
            continue; // no parameters; scale and zero point pass through unchanged
        }
        torch::Tensor w = I.Weight(i).detach().to(torch::kFloat64).contiguous();
        torch::Tensor bias = I.Bias(i).detach().to(torch::kFloat64).contiguous();
        const int64_t oc = w.size(0);
        const int64_t per = w.numel() / oc;
        const double* wp = w.data_ptr<double>();
        const double* bp = bias.data_ptr<double>();
        const bool logits = arch.logits_output && i + 1 == L;
        bool last_acc = true;
        for (size_t j = i + 1; j < L; ++j) if (Accumulates(arch.layers[j].kind)) last_acc = false;
        const bool target_units = arch.objective == ObjectiveKind::NEG_SSE && last_acc;

        std::vector<double> w_scale(oc);
        double tensor_max = 0;
        for (int64_t c = 0; c < oc; ++c) {
            double m = 0;
            for (int64_t j = 0; j < per; ++j) m = std::max(m, std::abs(wp[c * per + j]));
            w_scale[c] = SymmetricScale(m);
            tensor_max = std::max(tensor_max, m);
        }
        if (!layer.per_channel || logits) {
            // Logits are compared across channels, so they need one common scale.
            std::fill(w_scale.begin(), w_scale.end(), SymmetricScale(tensor_max));
        }
        if (logits && target_units) std::fill(w_scale.begin(), w_scale.end(), 1.0 / s);

        ActivationParams outp;
        if (target_units && !logits) {
            outp.scale = 1.0;  // int8 outputs compared with integer targets
            outp.zero_point = 0;
        } else {
            const size_t r = range_of[i];
            outp = ChooseActivationParams(lo[r], hi[r]);
        }
        // Overflow proof bound of the engine: |acc| <= fan_in * 128 * 255 + |bias| must fit int32.
        const int64_t bias_limit = std::max<int64_t>(0, int64_t{2147483647} - per * 128 * 255);
        P.weights.resize(static_cast<size_t>(w.numel()));
        P.biases.resize(static_cast<size_t>(oc));
        for (int64_t c = 0; c < oc; ++c) {
            for (int64_t j = 0; j < per; ++j) P.weights[c * per + j] = QuantizeWeight(wp[c * per + j], w_scale[c]);
            P.biases[c] = QuantizeBias(bp[c], s * w_scale[c], bias_limit);
        }
        // A logits layer outputs its accumulators: no requantization parameters.
        const size_t nreq = logits ? 0 : layer.per_channel ? static_cast<size_t>(oc) : 1;
        for (size_t c = 0; c < nreq; ++c) {
            const double real = s * w_scale[c] / outp.scale;
            Requant rq = QuantizeMultiplier(real);
            P.multipliers.push_back(rq.multiplier);
            P.shifts.push_back(rq.shift);
        }
        P.output_zero_point = logits ? 0 : outp.zero_point;
        if (!logits) {
            s = outp.scale;
        }
    }
    return true;
}

} // namespace oda::train
