// A correct C++ program for memcheck with heapcheck underneath: operator new and
// delete, new[] and delete[] (of objects with constructors and destructors, so that
// the array carries its length), the nothrow and the aligned forms, and the standard
// containers on top of them.  Memcheck must report no error at all; every block is
// released with the operator that matches its allocation.
//
// Exit status: 0, or 1 after a message on stderr if an object lost its contents.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace {

int failures;

void fail(const char *what)
{
    std::fprintf(stderr, "vg_clean_cxx: %s\n", what);
    failures++;
}

// Counts its live instances: a destructor that new[]/delete[] skipped shows.
struct Tracked {
    static int live;
    std::uint32_t tag;
    char bytes[20];
    explicit Tracked(std::uint32_t t = 7) : tag(t)
    {
        for (std::size_t i = 0; i < sizeof bytes; i++)
            bytes[i] = static_cast<char>(t + i);
        live++;
    }
    ~Tracked() { live--; }
    bool intact() const
    {
        for (std::size_t i = 0; i < sizeof bytes; i++)
            if (bytes[i] != static_cast<char>(tag + i))
                return false;
        return true;
    }
};
int Tracked::live;


void scalars()
{
    for (std::uint32_t i = 0; i < 200; i++) {
        int *n = new int(static_cast<int>(i));
        Tracked *t = new Tracked(i);
        if (*n != static_cast<int>(i) || !t->intact())
            fail("a new object lost its value");
        delete t;
        delete n;
    }
    Tracked *maybe = new (std::nothrow) Tracked(3);
    if (!maybe || !maybe->intact())
        fail("nothrow new failed");
    delete maybe;
}

void arrays()
{
    static const std::size_t counts[] = {0, 1, 2, 3, 15, 16, 17, 100, 1000, 10000};
    for (std::size_t c : counts) {
        Tracked *a = new Tracked[c];
        for (std::size_t i = 0; i < c; i++)
            if (!a[i].intact())
                fail("an element of new[] lost its value");
        delete[] a;
        char *raw = new char[c + 1];
        for (std::size_t i = 0; i <= c; i++)
            raw[i] = static_cast<char>(i);
        for (std::size_t i = 0; i <= c; i++)
            if (raw[i] != static_cast<char>(i))
                fail("a byte of new char[] changed");
        delete[] raw;
    }
    if (Tracked::live != 0)
        fail("delete[] skipped destructors");
}

// C++17's over-aligned new and delete (operator new(size_t, align_val_t)).
#ifdef __cpp_aligned_new
struct alignas(64) Wide {
    unsigned char line[64];
};

void aligned()
{
    for (int i = 0; i < 50; i++) {
        Wide *w = new Wide;
        Wide *ws = new Wide[5];
        if (reinterpret_cast<std::uintptr_t>(w) % 64 != 0 ||
            reinterpret_cast<std::uintptr_t>(ws) % 64 != 0)
            fail("an over-aligned object is misaligned");
        w->line[63] = 1;
        ws[4].line[63] = 2;
        delete w;
        delete[] ws;
    }
}
#else
void aligned() {}
#endif

void containers()
{
    std::vector<std::string> words;
    for (int i = 0; i < 3000; i++)
        words.push_back(std::string(static_cast<std::size_t>(i % 70), 'a' + i % 26));
    std::map<std::size_t, std::size_t> lengths;
    for (const std::string &w : words)
        lengths[w.size()]++;
    if (lengths.size() != 70)
        fail("a map lost entries");
    auto shared = std::make_shared<std::vector<Tracked>>(100);
    std::unique_ptr<Tracked[]> owned(new Tracked[33]);
    if (shared->size() != 100 || !owned[32].intact())
        fail("a smart pointer lost its object");
}

} // namespace

int main()
{
    scalars();
    arrays();
    aligned();
    containers();
    if (Tracked::live != 0)
        fail("objects left alive");
    return failures ? 1 : 0;
}
