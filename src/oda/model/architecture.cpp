// Architecture encodings (binary and JSON), shape analysis, limits and compute cost.
#include <oda/model/architecture.h>

#include <crypto/hash.h>
#include <streams.h>

#include <nlohmann/json.hpp>

#include <limits>

namespace oda::model {

bool Layer::operator==(const Layer& o) const
{
    return kind == o.kind && out_features == o.out_features && kernel_h == o.kernel_h &&
           kernel_w == o.kernel_w && stride_h == o.stride_h && stride_w == o.stride_w &&
           pad_h == o.pad_h && pad_w == o.pad_w && per_channel == o.per_channel;
}

bool Architecture::operator==(const Architecture& o) const
{
    return input_shape == o.input_shape && layers == o.layers && logits_output == o.logits_output &&
           objective == o.objective;
}

std::string LayerKindName(LayerKind kind)
{
    switch (kind) {
    case LayerKind::DENSE: return "dense";
    case LayerKind::CONV2D: return "conv2d";
    case LayerKind::MAXPOOL2D: return "maxpool2d";
    case LayerKind::AVGPOOL2D: return "avgpool2d";
    case LayerKind::RELU: return "relu";
    case LayerKind::FLATTEN: return "flatten";
    }
    return "";
}

std::string ObjectiveName(ObjectiveKind kind)
{
    switch (kind) {
    case ObjectiveKind::ACCURACY: return "accuracy";
    case ObjectiveKind::NEG_SSE: return "neg_sse";
    }
    return "";
}

bool IsAccumulating(LayerKind kind) { return kind == LayerKind::DENSE || kind == LayerKind::CONV2D; }

static bool IsKnownKind(uint8_t k) { return k >= 1 && k <= 6; }
static bool IsPool(LayerKind k) { return k == LayerKind::MAXPOOL2D || k == LayerKind::AVGPOOL2D; }

// ------------------------------------------------------------------ binary
namespace {
template <typename Stream>
void WriteShape(Stream& s, const std::vector<uint32_t>& shape)
{
    WriteCompactSize(s, shape.size());
    for (uint32_t d : shape) Serialize(s, d);
}

template <typename Stream>
void WriteLayer(Stream& s, const Layer& l)
{
    Serialize(s, static_cast<uint8_t>(l.kind));
    switch (l.kind) {
    case LayerKind::DENSE:
        Serialize(s, l.out_features);
        Serialize(s, l.per_channel);
        break;
    case LayerKind::CONV2D:
        SerializeMany(s, l.out_features, l.kernel_h, l.kernel_w, l.stride_h, l.stride_w, l.pad_h, l.pad_w);
        Serialize(s, l.per_channel);
        break;
    case LayerKind::MAXPOOL2D:
    case LayerKind::AVGPOOL2D:
        SerializeMany(s, l.kernel_h, l.kernel_w, l.stride_h, l.stride_w);
        break;
    case LayerKind::RELU:
    case LayerKind::FLATTEN:
        break;
    }
}
} // namespace

std::vector<uint8_t> EncodeArchitecture(const Architecture& arch)
{
    std::vector<uint8_t> out;
    VectorWriter w(out);
    Serialize(w, ARCHITECTURE_VERSION);
    WriteShape(w, arch.input_shape);
    Serialize(w, static_cast<uint8_t>(arch.objective));
    WriteCompactSize(w, arch.layers.size());
    for (const Layer& l : arch.layers) WriteLayer(w, l);
    Serialize(w, arch.logits_output);
    return out;
}

static constexpr size_t MAX_RANK = 3;

bool DecodeArchitecture(const uint8_t* data, size_t size, Architecture& out, std::string& error)
{
    try {
        SpanReader r(data, size);
        Architecture a;
        uint8_t version;
        r >> version;
        if (version != ARCHITECTURE_VERSION) {
            error = "unsupported architecture version " + std::to_string(version);
            return false;
        }
        uint64_t rank = ReadCompactSize(r);
        if (rank > MAX_RANK) {
            error = "input shape has " + std::to_string(rank) + " dimensions (at most 3)";
            return false;
        }
        a.input_shape.resize(rank);
        for (auto& d : a.input_shape) r >> d;
        uint8_t objective;
        r >> objective;
        if (objective != 1 && objective != 2) {
            error = "unknown objective " + std::to_string(objective);
            return false;
        }
        a.objective = static_cast<ObjectiveKind>(objective);
        uint64_t n_layers = ReadCompactSize(r);
        if (n_layers > MAX_LAYERS) {
            error = "too many layers: " + std::to_string(n_layers) + " (at most " + std::to_string(MAX_LAYERS) + ")";
            return false;
        }
        a.layers.resize(n_layers);
        for (size_t i = 0; i < n_layers; ++i) {
            Layer& l = a.layers[i];
            uint8_t kind;
            r >> kind;
            if (!IsKnownKind(kind)) {
                error = "layer " + std::to_string(i) + ": unknown layer kind " + std::to_string(kind);
                return false;
            }
            l.kind = static_cast<LayerKind>(kind);
            switch (l.kind) {
            case LayerKind::DENSE:
                r >> l.out_features >> l.per_channel;
                break;
            case LayerKind::CONV2D:
                r >> l.out_features >> l.kernel_h >> l.kernel_w >> l.stride_h >> l.stride_w >> l.pad_h >> l.pad_w >> l.per_channel;
                break;
            case LayerKind::MAXPOOL2D:
            case LayerKind::AVGPOOL2D:
                r >> l.kernel_h >> l.kernel_w >> l.stride_h >> l.stride_w;
                break;
            case LayerKind::RELU:
            case LayerKind::FLATTEN:
                break;
            }
        }
        r >> a.logits_output;
        if (!r.empty()) {
            error = "trailing bytes after architecture";
            return false;
        }
        out = std::move(a);
        return true;
    } catch (const SerializationError& e) {
        error = std::string("malformed architecture: ") + e.what();
        return false;
    }
}

bool DecodeArchitecture(const std::vector<uint8_t>& bytes, Architecture& out, std::string& error)
{
    return DecodeArchitecture(bytes.data(), bytes.size(), out, error);
}

uint256 ArchitectureHash(const Architecture& arch) { return Hash256(EncodeArchitecture(arch)); }

// -------------------------------------------------------------------- JSON
std::string ArchitectureToJson(const Architecture& arch)
{
    using oj = nlohmann::ordered_json;
    oj j;
    j["version"] = ARCHITECTURE_VERSION;
    j["input_shape"] = arch.input_shape;
    j["objective"] = ObjectiveName(arch.objective);
    oj layers = oj::array();
    for (const Layer& l : arch.layers) {
        oj o;
        o["kind"] = LayerKindName(l.kind);
        switch (l.kind) {
        case LayerKind::DENSE:
            o["out_features"] = l.out_features;
            o["per_channel"] = l.per_channel;
            break;
        case LayerKind::CONV2D:
            o["out_channels"] = l.out_features;
            o["kernel"] = {l.kernel_h, l.kernel_w};
            o["stride"] = {l.stride_h, l.stride_w};
            o["padding"] = {l.pad_h, l.pad_w};
            o["per_channel"] = l.per_channel;
            break;
        case LayerKind::MAXPOOL2D:
        case LayerKind::AVGPOOL2D:
            o["kernel"] = {l.kernel_h, l.kernel_w};
            o["stride"] = {l.stride_h, l.stride_w};
            break;
        case LayerKind::RELU:
        case LayerKind::FLATTEN:
            break;
        }
        layers.push_back(std::move(o));
    }
    j["layers"] = std::move(layers);
    j["logits_output"] = arch.logits_output;
    return j.dump();
}

namespace {
using json = nlohmann::json;

struct JsonError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void RequireKeys(const json& obj, std::initializer_list<const char*> keys, const std::string& where)
{
    if (!obj.is_object()) throw JsonError(where + ": expected an object");
    for (const char* k : keys) {
        if (!obj.contains(k)) throw JsonError(where + ": missing key \"" + k + "\"");
    }
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        bool known = false;
        for (const char* k : keys) known |= it.key() == k;
        if (!known) throw JsonError(where + ": unknown key \"" + it.key() + "\"");
    }
}

uint32_t GetU32(const json& v, const std::string& where)
{
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0)) {
        throw JsonError(where + ": expected a non-negative integer");
    }
    uint64_t x = v.get<uint64_t>();
    if (x > std::numeric_limits<uint32_t>::max()) throw JsonError(where + ": integer too large");
    return static_cast<uint32_t>(x);
}

bool GetBool(const json& v, const std::string& where)
{
    if (!v.is_boolean()) throw JsonError(where + ": expected true or false");
    return v.get<bool>();
}

std::pair<uint32_t, uint32_t> GetPair(const json& v, const std::string& where)
{
    if (!v.is_array() || v.size() != 2) throw JsonError(where + ": expected [height, width]");
    return {GetU32(v[0], where), GetU32(v[1], where)};
}
} // namespace

bool ArchitectureFromJson(const std::string& text, Architecture& out, std::string& error)
{
    if (text.size() > MAX_ARCHITECTURE_JSON_SIZE) {
        error = "architecture JSON larger than " + std::to_string(MAX_ARCHITECTURE_JSON_SIZE) + " bytes";
        return false;
    }
    try {
        json j = json::parse(text);
        RequireKeys(j, {"version", "input_shape", "objective", "layers", "logits_output"}, "architecture");
        if (GetU32(j["version"], "version") != ARCHITECTURE_VERSION) throw JsonError("unsupported architecture version");
        Architecture a;
        const json& shape = j["input_shape"];
        if (!shape.is_array() || shape.size() > MAX_RANK) throw JsonError("input_shape: expected an array of at most 3 integers");
        for (const auto& d : shape) a.input_shape.push_back(GetU32(d, "input_shape"));
        const json& objective = j["objective"];
        if (objective == "accuracy") {
            a.objective = ObjectiveKind::ACCURACY;
        } else if (objective == "neg_sse") {
            a.objective = ObjectiveKind::NEG_SSE;
        } else {
            throw JsonError("objective: expected \"accuracy\" or \"neg_sse\"");
        }
        const json& layers = j["layers"];
        if (!layers.is_array()) throw JsonError("layers: expected an array");
        if (layers.size() > MAX_LAYERS) throw JsonError("too many layers");
        for (size_t i = 0; i < layers.size(); ++i) {
            const json& o = layers[i];
            const std::string where = "layer " + std::to_string(i);
            if (!o.is_object() || !o.contains("kind") || !o["kind"].is_string()) throw JsonError(where + ": missing \"kind\"");
            const std::string kind = o["kind"].get<std::string>();
            Layer l;
            if (kind == "dense") {
                RequireKeys(o, {"kind", "out_features", "per_channel"}, where);
                l.kind = LayerKind::DENSE;
                l.out_features = GetU32(o["out_features"], where + ".out_features");
                l.per_channel = GetBool(o["per_channel"], where + ".per_channel");
            } else if (kind == "conv2d") {
                RequireKeys(o, {"kind", "out_channels", "kernel", "stride", "padding", "per_channel"}, where);
                l.kind = LayerKind::CONV2D;
                l.out_features = GetU32(o["out_channels"], where + ".out_channels");
                std::tie(l.kernel_h, l.kernel_w) = GetPair(o["kernel"], where + ".kernel");
                std::tie(l.stride_h, l.stride_w) = GetPair(o["stride"], where + ".stride");
                std::tie(l.pad_h, l.pad_w) = GetPair(o["padding"], where + ".padding");
                l.per_channel = GetBool(o["per_channel"], where + ".per_channel");
            } else if (kind == "maxpool2d" || kind == "avgpool2d") {
                RequireKeys(o, {"kind", "kernel", "stride"}, where);
                l.kind = kind == "maxpool2d" ? LayerKind::MAXPOOL2D : LayerKind::AVGPOOL2D;
                std::tie(l.kernel_h, l.kernel_w) = GetPair(o["kernel"], where + ".kernel");
                std::tie(l.stride_h, l.stride_w) = GetPair(o["stride"], where + ".stride");
            } else if (kind == "relu" || kind == "flatten") {
                RequireKeys(o, {"kind"}, where);
                l.kind = kind == "relu" ? LayerKind::RELU : LayerKind::FLATTEN;
            } else {
                throw JsonError(where + ": unknown layer kind \"" + kind + "\"");
            }
            a.layers.push_back(l);
        }
        a.logits_output = GetBool(j["logits_output"], "logits_output");
        out = std::move(a);
        return true;
    } catch (const JsonError& e) {
        error = std::string("bad architecture JSON: ") + e.what();
    } catch (const nlohmann::json::exception& e) {
        error = std::string("bad architecture JSON: ") + e.what();
    }
    return false;
}

// ---------------------------------------------------------------- analysis
uint64_t ShapeElements(const Shape& shape)
{
    uint64_t n = 1;
    for (uint32_t d : shape) {
        // Saturate: callers compare against small limits, so any overflow is "too big".
        if (d != 0 && n > std::numeric_limits<uint64_t>::max() / d) return std::numeric_limits<uint64_t>::max();
        n *= d;
    }
    return n;
}

std::string ShapeToString(const Shape& shape)
{
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

uint64_t LayerComputeCost(const Layer& layer, uint64_t fan_in, uint64_t in_elems, const Shape& out_shape)
{
    const uint64_t out_elems = ShapeElements(out_shape);
    uint64_t macs = 0, taps = 0;
    switch (layer.kind) {
    case LayerKind::DENSE:
        macs = out_elems * fan_in;
        break;
    case LayerKind::CONV2D: {
        // Stride-1 convolutions are computed on the padded width: each output row is a run
        // of out_w + kernel_w - 1 positions of which out_w are kept (oda/engine/conv.h), so
        // they are counted on that grid; a kernel as wide as its input pays for its waste.
        // Every grid position reads its window once for all output channels.
        const uint64_t out_h = out_shape[1], out_w = out_shape[2];
        const uint64_t grid_w = layer.stride_w == 1 ? out_w + layer.kernel_w - 1 : out_w;
        taps = out_h * grid_w * fan_in;
        macs = taps * layer.out_features;
        break;
    }
    case LayerKind::MAXPOOL2D:
    case LayerKind::AVGPOOL2D:
        taps = out_elems * layer.kernel_h * layer.kernel_w;
        break;
    case LayerKind::RELU:
    case LayerKind::FLATTEN:
        break;
    }
    return macs + COST_PER_WINDOW_TAP * taps + COST_PER_ELEMENT * (in_elems + out_elems) + COST_PER_LAYER;
}

bool AnalyzeArchitecture(const Architecture& arch, ArchitectureInfo& info, std::string& error)
{
    info = ArchitectureInfo{};
    const Shape& in = arch.input_shape;
    if (in.size() != 1 && in.size() != 3) {
        error = "input shape " + ShapeToString(in) + " must have 1 (flat) or 3 (C,H,W) dimensions";
        return false;
    }
    for (uint32_t d : in) {
        if (d == 0 || d > MAX_DIMENSION) {
            error = "input shape " + ShapeToString(in) + ": every dimension must be in 1.." + std::to_string(MAX_DIMENSION);
            return false;
        }
    }
    if (ShapeElements(in) > MAX_TENSOR_ELEMENTS) {
        error = "input shape " + ShapeToString(in) + " has more than " + std::to_string(MAX_TENSOR_ELEMENTS) + " elements";
        return false;
    }
    if (arch.layers.empty()) {
        error = "architecture has no layers";
        return false;
    }
    if (arch.layers.size() > MAX_LAYERS) {
        error = "too many layers (at most " + std::to_string(MAX_LAYERS) + ")";
        return false;
    }
    if (arch.objective != ObjectiveKind::ACCURACY && arch.objective != ObjectiveKind::NEG_SSE) {
        error = "unknown objective";
        return false;
    }
    info.input_shape = in;
    Shape cur = in;
    uint64_t cost = 0;
    for (size_t i = 0; i < arch.layers.size(); ++i) {
        const Layer& l = arch.layers[i];
        const std::string where = "layer " + std::to_string(i) + " (" + LayerKindName(l.kind) + ")";
        auto fail = [&](const std::string& msg) { error = where + ": " + msg; return false; };
        if (!IsKnownKind(static_cast<uint8_t>(l.kind))) {
            error = "layer " + std::to_string(i) + ": unknown layer kind " + std::to_string(static_cast<int>(l.kind));
            return false;
        }
        const bool uses_out = IsAccumulating(l.kind);
        const bool uses_kernel = l.kind == LayerKind::CONV2D || IsPool(l.kind);
        if ((!uses_out && (l.out_features || l.per_channel)) ||
            (!uses_kernel && (l.kernel_h || l.kernel_w || l.stride_h || l.stride_w)) ||
            (l.kind != LayerKind::CONV2D && (l.pad_h || l.pad_w))) {
            return fail("fields this kind does not use must be zero");
        }
        LayerInfo li;
        li.in_shape = cur;
        Shape next;
        switch (l.kind) {
        case LayerKind::DENSE:
            if (cur.size() != 1) return fail("needs a flat input but gets " + ShapeToString(cur) + " (add a flatten layer)");
            if (l.out_features == 0 || l.out_features > MAX_DIMENSION) return fail("out_features must be in 1.." + std::to_string(MAX_DIMENSION));
            li.fan_in = cur[0];
            next = {l.out_features};
            break;
        case LayerKind::CONV2D:
        case LayerKind::MAXPOOL2D:
        case LayerKind::AVGPOOL2D: {
            if (cur.size() != 3) return fail("needs a C,H,W input but gets " + ShapeToString(cur));
            if (l.kernel_h == 0 || l.kernel_w == 0 || l.kernel_h > MAX_DIMENSION || l.kernel_w > MAX_DIMENSION) return fail("kernel must be in 1.." + std::to_string(MAX_DIMENSION));
            if (l.stride_h == 0 || l.stride_w == 0) return fail("stride must be at least 1");
            if (l.stride_h > MAX_DIMENSION || l.stride_w > MAX_DIMENSION) return fail("stride too large");
            if (l.pad_h > MAX_PADDING || l.pad_w > MAX_PADDING) return fail("padding above " + std::to_string(MAX_PADDING));
            if ((l.pad_h && l.pad_h >= l.kernel_h) || (l.pad_w && l.pad_w >= l.kernel_w)) return fail("padding must be smaller than the kernel");
            const uint64_t ph = uint64_t{cur[1]} + 2 * l.pad_h, pw = uint64_t{cur[2]} + 2 * l.pad_w;
            if (l.kernel_h > ph || l.kernel_w > pw) return fail("kernel larger than the (padded) input " + ShapeToString(cur));
            const uint32_t oh = static_cast<uint32_t>((ph - l.kernel_h) / l.stride_h + 1);
            const uint32_t ow = static_cast<uint32_t>((pw - l.kernel_w) / l.stride_w + 1);
            if (l.kind == LayerKind::CONV2D) {
                if (l.out_features == 0 || l.out_features > MAX_DIMENSION) return fail("out_channels must be in 1.." + std::to_string(MAX_DIMENSION));
                li.fan_in = uint64_t{cur[0]} * l.kernel_h * l.kernel_w;
                next = {l.out_features, oh, ow};
            } else {
                next = {cur[0], oh, ow};
            }
            break;
        }
        case LayerKind::RELU:
            next = cur;
            break;
        case LayerKind::FLATTEN:
            next = {static_cast<uint32_t>(ShapeElements(cur))};
            break;
        }
        const uint64_t out_elems = ShapeElements(next);
        if (out_elems > MAX_TENSOR_ELEMENTS) return fail("output " + ShapeToString(next) + " has more than " + std::to_string(MAX_TENSOR_ELEMENTS) + " elements");
        if (uses_out) {
            if (li.fan_in > MAX_FAN_IN) {
                return fail("fan-in " + std::to_string(li.fan_in) + " could overflow the int32 accumulator (at most " + std::to_string(MAX_FAN_IN) + ")");
            }
            li.channel_count = l.out_features;
            li.weight_count = li.fan_in * l.out_features;
            if (li.weight_count > MAX_LAYER_WEIGHTS) return fail("more than " + std::to_string(MAX_LAYER_WEIGHTS) + " weights");
            info.total_weights += li.weight_count;
            if (info.total_weights > MAX_MODEL_WEIGHTS) return fail("model has more than " + std::to_string(MAX_MODEL_WEIGHTS) + " weights");
        }
        li.compute_cost = LayerComputeCost(l, li.fan_in, ShapeElements(cur), next);
        cost += li.compute_cost;  // each layer < 2^50 (grid <= 2^24 positions x weights <= 2^24), 64 layers << 2^64
        li.out_shape = next;
        cur = next;
        info.layers.push_back(std::move(li));
    }
    if (arch.logits_output && !IsAccumulating(arch.layers.back().kind)) {
        error = "logits output needs a dense or conv2d last layer, not " + LayerKindName(arch.layers.back().kind);
        return false;
    }
    info.output_shape = cur;
    info.compute_cost = cost;
    info.load_cost = COST_PER_WEIGHT * info.total_weights;  // <= 2^28
    return true;
}

bool CheckArchitecture(const Architecture& arch, uint64_t max_compute_cost, std::string& error)
{
    ArchitectureInfo info;
    if (!AnalyzeArchitecture(arch, info, error)) return false;
    if (info.compute_cost > max_compute_cost) {
        error = "compute cost " + std::to_string(info.compute_cost) + " above the limit " + std::to_string(max_compute_cost);
        return false;
    }
    return true;
}

uint64_t ComputeCost(const Architecture& arch)
{
    ArchitectureInfo info;
    std::string error;
    return AnalyzeArchitecture(arch, info, error) ? info.compute_cost : 0;
}

uint64_t ScoringCost(const ArchitectureInfo& info, uint64_t samples)
{
    constexpr uint64_t max = std::numeric_limits<uint64_t>::max();
    if (samples != 0 && info.compute_cost > max / samples) return max;
    const uint64_t per_samples = info.compute_cost * samples;
    return per_samples > max - info.load_cost ? max : per_samples + info.load_cost;
}

} // namespace oda::model
