// A C++ mismatch inside member functions, built with -O2: the report names them
// demangled (Matrix::~Matrix(), not _ZN6MatrixD1Ev), with their lines.
#include <cstdio>

class Matrix {
  public:
    explicit Matrix(unsigned n);
    ~Matrix();
    double *cells;
};

__attribute__((noinline)) Matrix::Matrix(unsigned n) : cells(new double[n]) {}

static volatile int destroyed;

__attribute__((noinline)) Matrix::~Matrix()
{
    delete cells; // the bug: new[] released with delete
    destroyed = destroyed + 1; // not a tail call: this frame stays on the stack
}

int main()
{
    Matrix *volatile m = new Matrix(4);
    m->cells[0] = 1;
    std::printf("%g\n", m->cells[0]);
    delete m;
    return 0;
}
