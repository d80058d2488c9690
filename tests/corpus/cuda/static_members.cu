// A class with static data members defined out of class, static member
// functions and a per-instance id from a counter.
#include <cstdio>

class Kernel {
public:
    explicit Kernel(const char *name) : name_(name), id_(next_id++) { ++live; }
    ~Kernel() { --live; }
    static int count() { return live; }
    int id() const { return id_; }
    const char *name() const { return name_; }
    static const int max_threads;

private:
    const char *name_;
    int id_;
    static int next_id;
    static int live;
};

int Kernel::next_id = 100;
int Kernel::live = 0;
const int Kernel::max_threads = 1024;

__global__ void noop() {}

int main()
{
    Kernel a("a"), b("b");
    {
        Kernel c("c");
        printf("%s=%d %s=%d %s=%d live=%d\n", a.name(), a.id(), b.name(), b.id(), c.name(), c.id(),
               Kernel::count());
    }
    printf("live after scope: %d, max threads %d\n", Kernel::count(), Kernel::max_threads);
    noop<<<1, Kernel::max_threads>>>();
    cudaError_t e = cudaDeviceSynchronize();
    printf("noop %s\n", e == cudaSuccess ? "ran" : "did not run");
    return 0;
}
