#include <vector>
#include <algorithm>
#include <map>
#include <string>
std::vector<float> weights(16, 1.0f);
std::map<std::string, int> ids{{"a", 1}, {"b", 2}};
auto twice = [](float x) { return 2 * x; };
constexpr int kBlock = 256;
inline int rounded(int n) { return (n + kBlock - 1) / kBlock * kBlock; }
float total(const std::vector<float> &v)
{
    float s = 0;
    std::for_each(v.begin(), v.end(), [&](float x) { s += twice(x); });
    return s;
}
using Table = std::map<std::string, int>;
enum class Mode : int { Fast, Exact };
