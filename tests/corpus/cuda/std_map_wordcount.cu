// Host-only C++: count words with std::map and std::string, sort by count.
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>
#include <algorithm>

const std::string text =
    "the quick brown fox jumps over the lazy dog the dog sleeps "
    "and the fox runs over the hill";

std::map<std::string, int> count_words(const std::string &s)
{
    std::map<std::string, int> m;
    std::istringstream in(s);
    std::string w;
    while (in >> w) ++m[w];
    return m;
}

int main()
{
    auto counts = count_words(text);
    std::vector<std::pair<std::string, int>> v(counts.begin(), counts.end());
    std::stable_sort(v.begin(), v.end(),
                     [](const auto &a, const auto &b) { return a.second > b.second; });
    for (size_t i = 0; i < 4 && i < v.size(); ++i)
        std::cout << v[i].first << ": " << v[i].second << "\n";
    std::cout << counts.size() << " distinct words\n";
    return 0;
}
