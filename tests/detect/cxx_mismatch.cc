// Allocation/deallocation mismatches in C++.  Usage: cxx_mismatch new-free |
// malloc-delete | newarray-delete | new-deletearray
#include <cstdlib>
#include <cstring>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *which = argv[1];
    if (std::strcmp(which, "new-free") == 0) {
        int *volatile p = new int(7);
        std::free(p);
    } else if (std::strcmp(which, "malloc-delete") == 0) {
        int *volatile p = static_cast<int *>(std::malloc(sizeof(int)));
        delete p;
    } else if (std::strcmp(which, "newarray-delete") == 0) {
        int *volatile p = new int[10];
        delete p;
    } else {
        int *volatile p = new int(3);
        delete[] p;
    }
    return 0;
}
