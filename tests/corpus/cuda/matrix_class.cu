// A small Matrix class with operator(), operator* and operator== on the
// host; the product is also computed by a kernel on its raw data.
#include <cstdio>
#include <vector>

class Matrix {
public:
    Matrix(int r, int c, float v = 0) : rows(r), cols(c), data(r * c, v) {}
    float &operator()(int i, int j) { return data[i * cols + j]; }
    float operator()(int i, int j) const { return data[i * cols + j]; }
    Matrix operator*(const Matrix &o) const
    {
        Matrix m(rows, o.cols);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < o.cols; j++)
                for (int k = 0; k < cols; k++) m(i, j) += (*this)(i, k) * o(k, j);
        return m;
    }
    bool operator==(const Matrix &o) const { return rows == o.rows && cols == o.cols && data == o.data; }
    void print() const
    {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) printf("%6.1f", (*this)(i, j));
            printf("\n");
        }
    }
    int rows, cols;
    std::vector<float> data;
};

__global__ void mul(const float *a, const float *b, float *c, int n, int m, int p)
{
    int i = blockIdx.y * blockDim.y + threadIdx.y, j = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n && j < p) {
        float s = 0;
        for (int k = 0; k < m; k++) s += a[i * m + k] * b[k * p + j];
        c[i * p + j] = s;
    }
}

int main()
{
    Matrix A(3, 4), B(4, 2);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++) A(i, j) = i + j;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 2; j++) B(i, j) = i - j;
    Matrix C = A * B;
    C.print();
    float *da, *db, *dc;
    if (cudaMalloc(&da, A.data.size() * sizeof(float)) != cudaSuccess) {
        printf("device product skipped\n");
        return 0;
    }
    cudaMalloc(&db, B.data.size() * sizeof(float));
    cudaMalloc(&dc, C.data.size() * sizeof(float));
    cudaMemcpy(da, A.data.data(), A.data.size() * sizeof(float), cudaMemcpyHostToDevice);
    cudaMemcpy(db, B.data.data(), B.data.size() * sizeof(float), cudaMemcpyHostToDevice);
    mul<<<dim3(1, 1), dim3(8, 8)>>>(da, db, dc, 3, 4, 2);
    Matrix G(3, 2);
    cudaMemcpy(G.data.data(), dc, G.data.size() * sizeof(float), cudaMemcpyDeviceToHost);
    printf("%s\n", G == C ? "ok" : "mismatch");
    return 0;
}
