namespace geom {
struct Vec { float x, y; };
inline Vec operator+(Vec a, Vec b) { return {a.x + b.x, a.y + b.y}; }
namespace detail { constexpr float eps = 1e-6f; }
}
namespace geom {
float dot(Vec a, Vec b) { return a.x * b.x + a.y * b.y; }
}
using geom::Vec;
using namespace geom::detail;
namespace g = geom;
extern "C" int c_visible(int x) { return x * 2; }
extern "C" {
int c_a(void);
int c_b(int);
}
