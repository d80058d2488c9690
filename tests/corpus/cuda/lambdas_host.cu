// Host lambdas: one held in an auto global, captures by value and by
// reference, std::function, and std::sort with a comparator.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

auto square = [](int x) { return x * x; };

std::function<int(int)> compose(std::function<int(int)> f, std::function<int(int)> g)
{
    return [f, g](int x) { return f(g(x)); };
}

int main()
{
    std::vector<int> v = {5, -3, 8, 1, -7, 2};
    int calls = 0;
    std::sort(v.begin(), v.end(), [&calls](int a, int b) { ++calls; return square(a) < square(b); });
    for (int x : v) printf("%d ", x);
    printf("\n");
    printf("comparator called: %s\n", calls > 0 ? "yes" : "no");
    int offset = 10;
    auto add_offset = [offset](int x) { return x + offset; };
    auto f = compose(add_offset, square);
    printf("f(3) = %d\n", f(3));
    int total = 0;
    std::for_each(v.begin(), v.end(), [&](int x) { total += x; });
    printf("total %d\n", total);
    return 0;
}
