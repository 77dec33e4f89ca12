#include <cstdio>

int main() {
  std::puts("rssflow: not yet");
  return 0;
}
