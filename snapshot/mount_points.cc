#include "snapshot/mount_points.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace strata::snapshot {

std::vector<std::string> MountPointsUnder(const std::string& prefix) {
  std::vector<std::string> points;
  std::ifstream info("/proc/self/mountinfo");
  for (std::string line; std::getline(info, line);) {
    std::istringstream fields(line);
    std::string skip, escaped;
    fields >> skip >> skip >> skip >> skip >> escaped;
    std::string point;
    for (size_t i = 0; i < escaped.size(); ++i) {
      if (escaped[i] == '\\' && i + 3 < escaped.size() &&
          std::all_of(escaped.begin() + i + 1, escaped.begin() + i + 4,
                      [](char c) { return c >= '0' && c <= '7'; })) {
        point += static_cast<char>((escaped[i + 1] - '0') * 64 + (escaped[i + 2] - '0') * 8 +
                                   (escaped[i + 3] - '0'));
        i += 3;
      } else {
        point += escaped[i];
      }
    }
    if (point.rfind(prefix, 0) == 0) points.push_back(point);
  }
  std::sort(points.begin(), points.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return points;
}

}  // namespace strata::snapshot
