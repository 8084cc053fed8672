// vg_suite_cxx: C++'s new and delete in every form, beside malloc's family, for
// valgrind_suite.sh (memcheck with libheapcheck preloaded in the environment).
#include <cstdlib>
#include <cstring>
#include <new>

struct alignas(64) Wide {
    char bytes[64];
};

int main()
{
    int *one = new int(1);
    delete one;
    int *many = new int[10]();
    delete[] many;
    Wide *w = new Wide;
    delete w;
    Wide *ws = new Wide[3];
    delete[] ws;
    int *n = new (std::nothrow) int;
    delete n;
    int *ns = new (std::nothrow) int[4];
    delete[] ns;
    char *c = static_cast<char *>(std::malloc(16));
    std::memset(c, 'c', 16);
    c = static_cast<char *>(std::realloc(c, 32));
    std::free(c);
    return 0;
}
