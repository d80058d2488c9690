// Host classes with virtual functions and inheritance; the areas are then
// summed on the device.
#include <cstdio>
#include <memory>
#include <vector>

class Shape {
public:
    virtual ~Shape() = default;
    virtual float area() const = 0;
    virtual const char *name() const { return "shape"; }
};

class Rect : public Shape {
public:
    Rect(float w, float h) : w_(w), h_(h) {}
    float area() const override { return w_ * h_; }
    const char *name() const override { return "rect"; }
protected:
    float w_, h_;
};

class Square : public Rect {
public:
    explicit Square(float s) : Rect(s, s) {}
    const char *name() const override { return "square"; }
};

class Circle : public Shape {
public:
    explicit Circle(float r) : r_(r) {}
    float area() const override { return 3.0f * r_ * r_; }
private:
    float r_;
};

__global__ void sum_kernel(const float *a, int n, float *out)
{
    float s = 0;
    for (int i = 0; i < n; i++) s += a[i];
    *out = s;
}

int main()
{
    std::vector<std::unique_ptr<Shape>> shapes;
    shapes.push_back(std::make_unique<Rect>(2, 3));
    shapes.push_back(std::make_unique<Square>(4));
    shapes.push_back(std::make_unique<Circle>(1));
    std::vector<float> areas;
    for (const auto &s : shapes) {
        printf("%s %.1f\n", s->name(), s->area());
        areas.push_back(s->area());
    }
    float *d, *dout, total = 0;
    if (cudaMalloc(&d, areas.size() * sizeof(float)) != cudaSuccess) {
        printf("total on host only\n");
        return 0;
    }
    cudaMalloc(&dout, sizeof(float));
    cudaMemcpy(d, areas.data(), areas.size() * sizeof(float), cudaMemcpyHostToDevice);
    sum_kernel<<<1, 1>>>(d, (int)areas.size(), dout);
    cudaMemcpy(&total, dout, sizeof(float), cudaMemcpyDeviceToHost);
    printf("total %.1f\n", total);
    return 0;
}
