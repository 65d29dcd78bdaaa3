// Frame parse + unmask + UTF-8 validation throughput of the WebSocket engine
// for 300 B, 1.5 KB and 64 KiB text messages, against memcpy of the same
// octets in the same run.
//
//   memcpy            copy of the whole frame (the floor every receiver pays)
//   engine_in_place   a masked text frame arriving whole in one read: header
//                     parse, in-place unmask, UTF-8 check (zero-copy path). The
//                     frame uses the all-zero masking key (a legal key) so the
//                     buffer stays the same between iterations; the engine does
//                     the same work for every key.
//   engine_split      the same frame arriving in two reads: unmask while
//                     copying into the reassembly buffer, UTF-8 check
//   unmask / utf8     the two kernels alone
//
// Each result also reports allocations per message (steady state: 0).
// At the end a table prints median bandwidth and the ratio to memcpy.
#include <sipws/ws/engine.hpp>
#include <sipws/ws/mask.hpp>
#include <sipws/ws/utf8.hpp>

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <string>
#include <vector>

namespace {
std::atomic<std::size_t> allocations{0};
}

void* operator new(std::size_t n) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}

namespace {

using namespace sipws::ws;

/// SIP-like ASCII text of \p n octets.
std::string sip_text(std::size_t n) {
    static const char line[] = "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks\r\n";
    std::string s;
    while (s.size() < n) s += line;
    s.resize(n);
    return s;
}

std::vector<unsigned char> masked_frame(const std::string& payload, const masking_key& key) {
    std::vector<unsigned char> f(max_header_size + payload.size());
    std::size_t h = write_frame_header(f.data(), true, opcode::text, payload.size(), &key);
    mask_copy(f.data() + h, payload.data(), payload.size(), key);
    f.resize(h + payload.size());
    return f;
}

void set_counters(benchmark::State& state, std::size_t bytes, std::size_t allocs_before) {
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(bytes));
    state.counters["allocs/msg"] =
        benchmark::Counter(static_cast<double>(allocations.load() - allocs_before) /
                           static_cast<double>(state.iterations()));
}

void memcpy_frame(benchmark::State& state) {
    auto size = static_cast<std::size_t>(state.range(0));
    auto src = masked_frame(sip_text(size), {0x12, 0x34, 0x56, 0x78});
    std::vector<unsigned char> dst(src.size());
    std::size_t a0 = allocations.load();
    for (auto _ : state) {
        std::memcpy(dst.data(), src.data(), src.size());
        benchmark::DoNotOptimize(dst.data());
        benchmark::ClobberMemory();
    }
    set_counters(state, src.size(), a0);
}

void engine_in_place(benchmark::State& state) {
    auto size = static_cast<std::size_t>(state.range(0));
    auto frame = masked_frame(sip_text(size), {0, 0, 0, 0});
    engine eng(role::server);
    std::size_t a0 = allocations.load();
    for (auto _ : state) {
        event ev = eng.consume(frame.data(), frame.size());
        if (ev.type != event_type::message || ev.payload.size() != size) state.SkipWithError("bad");
        benchmark::DoNotOptimize(ev.payload.data());
        benchmark::ClobberMemory();
    }
    set_counters(state, frame.size(), a0);
}

void engine_split(benchmark::State& state) {
    auto size = static_cast<std::size_t>(state.range(0));
    auto frame = masked_frame(sip_text(size), {0x12, 0x34, 0x56, 0x78});
    engine_options opt;
    opt.retained_buffer_size = 128 * 1024;
    engine eng(role::server, opt);
    const std::size_t half = frame.size() / 2;
    // Warm-up grows the reassembly buffer once.
    eng.consume(frame.data(), half);
    eng.consume(frame.data() + half, frame.size() - half);
    std::size_t a0 = allocations.load();
    for (auto _ : state) {
        event first = eng.consume(frame.data(), half);
        event ev = eng.consume(frame.data() + half, frame.size() - half);
        if (first.type != event_type::none || ev.type != event_type::message ||
            ev.payload.size() != size)
            state.SkipWithError("bad");
        benchmark::DoNotOptimize(ev.payload.data());
        benchmark::ClobberMemory();
    }
    set_counters(state, frame.size(), a0);
}

void unmask(benchmark::State& state) {
    auto size = static_cast<std::size_t>(state.range(0));
    std::string text = sip_text(size);
    std::size_t a0 = allocations.load();
    for (auto _ : state) {
        mask_in_place(text.data(), text.size(), {0x12, 0x34, 0x56, 0x78});
        benchmark::DoNotOptimize(text.data());
        benchmark::ClobberMemory();
    }
    set_counters(state, size, a0);
}

void utf8(benchmark::State& state) {
    auto size = static_cast<std::size_t>(state.range(0));
    std::string text = sip_text(size);
    std::size_t a0 = allocations.load();
    for (auto _ : state) {
        bool ok = is_valid_utf8(text);
        benchmark::DoNotOptimize(ok);
    }
    set_counters(state, size, a0);
}

void utf8_multilingual(benchmark::State& state) {
    auto size = static_cast<std::size_t>(state.range(0));
    std::string text;
    while (text.size() + 16 < size) text += "Grüße κόσμε 日本 ";
    std::size_t a0 = allocations.load();
    for (auto _ : state) {
        bool ok = is_valid_utf8(text);
        benchmark::DoNotOptimize(ok);
    }
    set_counters(state, text.size(), a0);
}

void encode_client(benchmark::State& state) {
    auto size = static_cast<std::size_t>(state.range(0));
    std::string text = sip_text(size);
    engine eng(role::client);
    std::vector<unsigned char> out(eng.encoded_size(size));
    std::error_code ec;
    std::size_t a0 = allocations.load();
    for (auto _ : state) {
        std::size_t n = eng.encode_message(message_type::text, text.data(), size, out.data(), ec);
        benchmark::DoNotOptimize(n);
        benchmark::ClobberMemory();
    }
    set_counters(state, out.size(), a0);
}

void sizes(benchmark::internal::Benchmark* b) {
    b->Arg(300)->Arg(1500)->Arg(65536)->Repetitions(5)->ReportAggregatesOnly(true);
}

BENCHMARK(memcpy_frame)->Apply(sizes);
BENCHMARK(engine_in_place)->Apply(sizes);
BENCHMARK(engine_split)->Apply(sizes);
BENCHMARK(unmask)->Apply(sizes);
BENCHMARK(utf8)->Apply(sizes);
BENCHMARK(utf8_multilingual)->Apply(sizes);
BENCHMARK(encode_client)->Apply(sizes);

/// Prints the usual console output and keeps the median bandwidths.
class ratio_reporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const auto& r : runs) {
            if (r.aggregate_name != "median") continue;
            auto it = r.counters.find("bytes_per_second");
            if (it != r.counters.end()) medians[r.run_name.str()] = it->second.value;
        }
    }
    std::map<std::string, double> medians;
};

} // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    ratio_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    std::printf("\nMedian bandwidth (GB/s) and ratio to memcpy of the same frame:\n");
    std::printf("%-22s %10s %10s %10s\n", "", "300 B", "1.5 KB", "64 KiB");
    for (const char* name : {"memcpy_frame", "engine_in_place", "engine_split", "unmask", "utf8",
                             "utf8_multilingual", "encode_client"}) {
        std::printf("%-22s", name);
        for (const char* size : {"300", "1500", "65536"}) {
            auto key = std::string(name) + "/" + size + "/repeats:5";
            auto base = reporter.medians.find(std::string("memcpy_frame/") + size + "/repeats:5");
            auto it = reporter.medians.find(key);
            if (it == reporter.medians.end() || base == reporter.medians.end()) {
                std::printf(" %10s", "-");
                continue;
            }
            std::printf(" %5.2f %4.2fx", it->second / 1e9, it->second / base->second);
        }
        std::printf("\n");
    }
    benchmark::Shutdown();
    return 0;
}
