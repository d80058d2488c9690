// An RAII wrapper class for device memory: constructor allocates, the
// destructor frees, copying is forbidden and moving transfers ownership.
#include <cstdio>
#include <cstddef>
#include <utility>
#include <vector>

template <typename T>
class DeviceBuffer {
public:
    explicit DeviceBuffer(size_t n) : n_(n)
    {
        if (cudaMalloc(&ptr_, n * sizeof(T)) != cudaSuccess) ptr_ = nullptr;
    }
    ~DeviceBuffer() { if (ptr_) cudaFree(ptr_); }
    DeviceBuffer(const DeviceBuffer &) = delete;
    DeviceBuffer &operator=(const DeviceBuffer &) = delete;
    DeviceBuffer(DeviceBuffer &&o) noexcept : ptr_(o.ptr_), n_(o.n_) { o.ptr_ = nullptr; o.n_ = 0; }

    bool ok() const { return ptr_ != nullptr; }
    size_t size() const { return n_; }
    T *get() { return ptr_; }
    bool upload(const std::vector<T> &v)
    {
        return cudaMemcpy(ptr_, v.data(), n_ * sizeof(T), cudaMemcpyHostToDevice) == cudaSuccess;
    }
    bool download(std::vector<T> &v) const
    {
        v.resize(n_);
        return cudaMemcpy(v.data(), ptr_, n_ * sizeof(T), cudaMemcpyDeviceToHost) == cudaSuccess;
    }

private:
    T *ptr_ = nullptr;
    size_t n_;
};

__global__ void iota_kernel(int *p, int n, int start)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) p[i] = start + i;
}

int main()
{
    DeviceBuffer<int> a(1000);
    printf("buffer of %zu ints\n", a.size());
    DeviceBuffer<int> b(std::move(a));
    printf("after move: a holds %zu, b holds %zu\n", a.size(), b.size());
    if (!b.ok()) {
        printf("allocation failed\n");
        return 1;
    }
    iota_kernel<<<4, 256>>>(b.get(), (int)b.size(), 5);
    std::vector<int> h;
    if (!b.download(h)) {
        printf("download failed\n");
        return 1;
    }
    long sum = 0;
    for (int x : h) sum += x;
    printf("%s\n", sum == 1000L * 5 + 999L * 1000 / 2 ? "ok" : "mismatch");
    return 0;
}
