#include <cstdio>
int f(int x) { return x + 1; }
float f(float x) { return x * 2; }
double f(double x, int times = 2) { return x * times; }
struct Money { long cents; };
Money operator+(Money a, Money b) { return {a.cents + b.cents}; }
bool operator==(const Money &a, const Money &b) { return a.cents == b.cents; }
template <typename T> T clamp01(T v) { return v < T(0) ? T(0) : v > T(1) ? T(1) : v; }
template <> float clamp01<float>(float v) { return v < 0.f ? 0.f : v > 1.f ? 1.f : v; }
template <typename T> constexpr T pi = T(3.14159265358979);
void print(const char *s = "default") { printf("%s\n", s); }
