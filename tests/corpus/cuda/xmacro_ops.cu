// An X-macro list that makes an enum, a name table and a switch, with the
// operation applied in a kernel through the same list.
#include <cstdio>

#define OPS(X)          \
    X(NEG, -x)          \
    X(DOUBLE, 2 * x)    \
    X(SQUARE, x * x)    \
    X(INC, x + 1)

enum Op {
#define AS_ENUM(name, expr) OP_##name,
    OPS(AS_ENUM)
#undef AS_ENUM
    OP_COUNT
};

static const char *op_names[] = {
#define AS_NAME(name, expr) #name,
    OPS(AS_NAME)
#undef AS_NAME
};

__host__ __device__ int apply(Op op, int x)
{
    switch (op) {
#define AS_CASE(name, expr) case OP_##name: return expr;
        OPS(AS_CASE)
#undef AS_CASE
    default: return 0;
    }
}

__global__ void apply_all(int *out, int x)
{
    int op = threadIdx.x;
    if (op < OP_COUNT) out[op] = apply((Op)op, x);
}

int main()
{
    int ref[OP_COUNT], got[OP_COUNT];
    for (int op = 0; op < OP_COUNT; op++) {
        ref[op] = apply((Op)op, 7);
        printf("%-6s(7) = %d\n", op_names[op], ref[op]);
    }
    int *d;
    if (cudaMalloc(&d, sizeof got) != cudaSuccess) {
        printf("host only\n");
        return 0;
    }
    apply_all<<<1, 32>>>(d, 7);
    cudaMemcpy(got, d, sizeof got, cudaMemcpyDeviceToHost);
    int same = 1;
    for (int op = 0; op < OP_COUNT; op++) same &= got[op] == ref[op];
    printf("%s\n", same ? "ok" : "mismatch");
    return 0;
}
